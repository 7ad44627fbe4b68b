import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { LogKind } from './columns.js';
import { LOG_TABLES } from './columns.js';
import { ident, pathList, scalar } from './duck.js';
import { checkRunId, lakePrefix } from './lake-paths.js';
import { walk, type LakePart } from './lake-sync.js';

/** What one kind added to the lake this run. */
export interface Appended {
  /** Records read from the inbox, duplicates included. */
  read: number;
  /** Records new to the lake (deduplicated within the batch and against the lake). */
  added: number;
  parts: LakePart[];
}

/**
 * Appends the not-yet-seen records of the downloaded objects to the lake.
 *
 * Delivery is at-least-once, so the same id can arrive in several objects, in several runs, and
 * again after a run that died before moving the watermark. Deduplicating against the whole lake
 * (not just this batch) makes every replay a no-op: the lake holds each id exactly once, and
 * every count and model downstream is computed from the lake. Duplicates keep the earliest copy.
 *
 * Parts are written to `staging`, uploaded, and only then moved into the local mirror, so the
 * mirror never holds a part the store lacks.
 */
export async function appendToLake(
  c: DuckDBConnection,
  store: ObjectStore,
  kind: LogKind,
  inbox: readonly string[],
  lake: readonly LakePart[],
  dirs: { staging: string; lakeRoot: string },
  runId: string,
): Promise<Appended> {
  checkRunId(runId);
  if (inbox.length === 0) return { read: 0, added: 0, parts: [] };
  const t = LOG_TABLES[kind];
  const id = ident(t.id);
  const order = ident(t.order);
  const raw = ident(`raw_${kind}`);
  const table = ident(`new_${kind}`);
  // One parse of the inbox: read everything, count it, keep the earliest copy of each id.
  await c.run(`CREATE OR REPLACE TEMP TABLE ${raw} AS SELECT * FROM read_json($files, format = 'newline_delimited', columns = ${t.columns})`, { files: pathList(inbox) });
  const read = await scalar(c, `SELECT count(*) FROM ${raw}`);
  await c.run(
    `CREATE OR REPLACE TEMP TABLE ${table} AS
     SELECT * EXCLUDE ("rn_") FROM (
       SELECT r.*, row_number() OVER (PARTITION BY r.${id} ORDER BY r.${order}) AS "rn_" FROM ${raw} r
     ) WHERE "rn_" = 1`,
  );
  await c.run(`DROP TABLE ${raw}`);
  if (lake.length > 0) {
    await c.run(`DELETE FROM ${table} n WHERE EXISTS (SELECT 1 FROM read_parquet($lake) l WHERE l.${id} = n.${id})`, { lake: pathList(lake.map((p) => p.path)) });
  }
  const added = await scalar(c, `SELECT count(*) FROM ${table}`);
  if (added === 0) return { read, added, parts: [] };

  const stage = join(dirs.staging, kind);
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });
  await c.run(
    `COPY (SELECT *, strftime(epoch_ms(${order}), '%Y-%m-%d') AS "dt" FROM ${table} ORDER BY ${order})
     TO $dir (FORMAT parquet, PARTITION_BY ("dt"), FILENAME_PATTERN $pattern, COMPRESSION zstd)`,
    { dir: stage, pattern: `part-${runId}-{i}` },
  );
  const parts: LakePart[] = [];
  for (const f of await walk(stage)) {
    const rel = relative(stage, f.path).split(sep).join('/');
    const key = lakePrefix(kind) + rel;
    await store.put(key, await readFile(f.path), { contentType: 'application/vnd.apache.parquet' });
    parts.push({ key, path: join(dirs.lakeRoot, kind, ...rel.split('/')), size: f.size });
  }
  for (const [i, f] of (await walk(stage)).entries()) {
    await mkdir(dirname(parts[i]!.path), { recursive: true });
    await rename(f.path, parts[i]!.path);
  }
  return { read, added, parts };
}
