import { isUtf8 } from 'node:buffer';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ListedObject, ObjectStore } from '../../shared/store/object-store.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LogKind } from '../lake/columns.js';
import type { Progress } from '../util/progress.js';
import { mapPool } from '../util/pool.js';
import { quarantineObject, type Quarantined } from './quarantine.js';
import { checkLogObject } from './validate-log.js';
import { sqlCheckFiles } from './validate-sql.js';

/**
 * Objects in flight at once. A GET of a log object is mostly round-trip latency (tens of ms to S3
 * or R2) for ~1 MB, so 32 in flight keep a 1 Gbit/s link busy where 8 left it idle most of the time.
 */
export const DOWNLOAD_CONCURRENCY = 32;

/** What landed in the local inbox. */
export interface Downloaded {
  /** Local NDJSON paths (decompressed), in key order. */
  files: string[];
  records: number;
  bytes: number;
  quarantined: Quarantined[];
  /** Listed objects that were gone by the time we fetched them (another run quarantined them …). */
  vanished: string[];
}

/** Objects fetched to disk, before DuckDB has checked their records. */
export interface Fetched {
  kind: LogKind;
  written: Array<{ path: string; key: string }>;
  result: Downloaded;
}

/** Moves a bad object to quarantine (reason recorded); one gone meanwhile counts as vanished. */
async function quarantine(store: ObjectStore, result: Downloaded, key: string, body: Uint8Array | null, reason: string, opts: { now: number; progress: Progress }): Promise<void> {
  opts.progress.warn(`quarantining ${key}: ${reason}`);
  const original = body ?? (await store.get(key))?.body;
  if (!original) return void result.vanished.push(key);
  result.quarantined.push(await quarantineObject(store, key, original, reason, opts.now));
}

/**
 * Downloads log objects into `dir` (after gunzip and a UTF-8 check); `checkFetched` then checks
 * their records. Downloading (rather than querying the bucket in place) is the design: DuckDB here
 * has no httpfs, and local copies make the DuckDB step repeatable and independent of the network.
 * The two halves are apart so that downloads of both kinds overlap while the checks share one
 * DuckDB session.
 */
export async function fetchLogs(
  store: ObjectStore,
  objects: readonly ListedObject[],
  kind: LogKind,
  dir: string,
  opts: { now: number; progress: Progress; concurrency?: number },
): Promise<Fetched> {
  await mkdir(dir, { recursive: true });
  const result: Downloaded = { files: [], records: 0, bytes: 0, quarantined: [], vanished: [] };
  let done = 0;
  const files = await mapPool(objects, opts.concurrency ?? DOWNLOAD_CONCURRENCY, async (o, i) => {
    const got = await store.get(o.key);
    opts.progress.bar(`download ${kind}`, ++done, objects.length);
    if (!got) {
      result.vanished.push(o.key);
      return null;
    }
    result.bytes += got.body.byteLength;
    let body = got.body;
    if (o.key.endsWith('.gz')) {
      try {
        body = gunzipSync(got.body);
      } catch {
        await quarantine(store, result, o.key, got.body, 'not valid gzip', opts);
        return null;
      }
    }
    if (!isUtf8(body)) {
      await quarantine(store, result, o.key, got.body, 'not valid UTF-8', opts);
      return null;
    }
    const path = join(dir, `${String(i).padStart(6, '0')}.ndjson`);
    await writeFile(path, body);
    return { path, key: o.key };
  });
  return { kind, written: files.filter((f): f is { path: string; key: string } => f !== null), result };
}

/**
 * Checks fetched files' records with DuckDB in one pass over all files (`sqlCheckFiles`); only a
 * file DuckDB cannot read or flags is checked line by line with zod (`checkLogObject`) for the
 * reason it is quarantined. Bad objects are quarantined, not fatal.
 */
export async function checkFetched(c: DuckDBConnection, store: ObjectStore, fetched: Fetched, opts: { now: number; progress: Progress }): Promise<Downloaded> {
  const { kind, written, result } = fetched;
  if (written.length === 0) return result;
  const checks = await sqlCheckFiles(c, kind, written.map((f) => f.path));
  for (const [j, f] of written.entries()) {
    const sql = checks[j]!;
    if ('records' in sql && sql.flagged === 0) {
      result.records += sql.records;
      result.files.push(f.path);
      continue;
    }
    // Slow path, bad objects only: zod names the first bad line; it also overrules a predicate.
    const zod = checkLogObject(await readFile(f.path), kind);
    if (zod.ok && 'records' in sql) {
      result.records += zod.records;
      result.files.push(f.path);
    } else {
      await quarantine(store, result, f.key, null, zod.ok ? `not readable as ${kind}: ${'error' in sql ? sql.error : 'rejected'}` : zod.reason, opts);
    }
  }
  return result;
}
