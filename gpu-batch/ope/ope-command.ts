import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifest, readPointer } from '../../shared/artifact/verify.js';
import { decisionSlate, toDsjsonLine } from '../../shared/ope/dsjson.js';
import type { LoggedSlate } from '../../shared/ope/logged-slate.js';
import { fromImpression } from '../../shared/ope/logged-slate.js';
import { TargetPolicy } from '../../shared/ope/target-policy.js';
import { Version } from '../../shared/schemas/common.js';
import { EventRecord } from '../../shared/schemas/event.js';
import { ImpressionRecord } from '../../shared/schemas/impression.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { BatchConfig } from '../config/config.js';
import { UsageError } from '../config/errors.js';
import { attributeRewards, readAttributed, rewardKey, type AttributionParams } from '../dataset/attribution.js';
import { IMPRESSION_COLUMNS } from '../lake/columns.js';
import { pathList, withDuck } from '../lake/duck.js';
import { DsjsonTally, formatDsjsonCounts, type DsjsonCounts } from '../import/read-dsjson.js';
import { evaluateTarget, formatTable, type OpeRow, type TargetTables } from './evaluate.js';
import type { LoggedImpression } from './lake-slates.js';
import { listLogSources, LOG_EXTENSIONS, readLogFiles, type LogFile } from './log-files.js';
import { VersionTarget } from './policy-view.js';

/** A logged slate, with the impression record when the logs have one (ours, or DSJSON we wrote). */
interface Loaded {
  slate: LoggedSlate;
  impression: ImpressionRecord | null;
}

/** `slatecast ope`'s options, as its flag schema (cli/commands/ope.ts) parses them. */
export interface OpeOptions {
  /** A local file or folder, or `s3://bucket/prefix`. */
  logs: string;
  /** A version name, `current`, or a `target-policy/v1` file. */
  target: string;
  format: 'ndjson' | 'dsjson';
  /** Weight cap of clipped IPS. */
  clip: number;
  /** The newest this many impressions are evaluated (Infinity: all). */
  maxImpressions: number;
  /** Write the JSON report here instead of printing it. */
  out?: string | undefined;
  /** Also write the logs as DSJSON here. */
  exportDsjson?: string | undefined;
  /** A malformed DSJSON line is an error instead of skipped and counted. */
  strict: boolean;
}

export interface OpeCommandResult {
  schema: 'ope-report/v1';
  logs: string;
  format: 'ndjson' | 'dsjson';
  target: { kind: 'version' | 'file'; name: string };
  impressions: number;
  clip: number;
  /** What the DSJSON reader kept and skipped (`--format dsjson` only). */
  dsjson?: DsjsonCounts;
  estimates: OpeRow[];
  ms: number;
}

/**
 * `slatecast ope`: off-policy estimates of a target (an artifact version in the bucket, or a
 * `target-policy/v1` file) on logs (a local dir or `s3://bucket/prefix` of our NDJSON impression
 * and event objects, or DSJSON lines with `--format dsjson`). Everything is read and checked
 * before anything is written, so bad flags or files (UsageError, exit 2) change nothing.
 * @returns the text to print (table, then JSON unless `--out`)
 */
export async function opeCommand(config: BatchConfig, o: OpeOptions, store: () => ObjectStore): Promise<{ text: string; result: OpeCommandResult }> {
  const t0 = performance.now();
  const { logs, format, clip, out, exportDsjson: exportTo } = o;

  // Logs.
  let counts: DsjsonCounts | undefined;
  let loaded: Loaded[] = [];
  if (format === 'dsjson') {
    // Streamed line by line; only the logged slates are kept, not the lines' contexts.
    const { sources, passedOver } = await listLogSources('ope', [logs], LOG_EXTENSIONS.dsjson, config, store);
    const tally = new DsjsonTally({ strict: o.strict, passedOver });
    for (const src of sources) for await (const d of tally.file(src.name, src.lines())) loaded.push({ slate: decisionSlate(d), impression: d.impression });
    counts = tally.counts;
  } else {
    const { files } = await readLogFiles('ope', [logs], LOG_EXTENSIONS.ndjson, config, store);
    loaded = await parseNdjson(files, config);
  }
  loaded.sort((a, b) => (b.slate.ts ?? 0) - (a.slate.ts ?? 0) || (a.slate.impression_id < b.slate.impression_id ? 1 : -1));
  if (loaded.length > o.maxImpressions) loaded = loaded.slice(0, o.maxImpressions);
  if (loaded.length < 2) throw new UsageError(`ope: ${logs} holds ${loaded.length} logged impressions; at least 2 are needed${counts ? `\n${formatDsjsonCounts(counts)}` : ''}`);

  // Target.
  const { tables, target } = await loadTarget(o.target, config, store, loaded);
  if (exportTo && loaded.some((l) => l.impression === null)) throw new UsageError('ope: --export-dsjson needs impression records (these logs are foreign DSJSON)');

  const rows = await evaluateTarget(loaded.map((l) => l.slate), tables, { clip });
  const result: OpeCommandResult = { schema: 'ope-report/v1', logs, format, target, impressions: loaded.length, clip, ...(counts ? { dsjson: counts } : {}), estimates: rows, ms: Math.round(performance.now() - t0) };
  const json = JSON.stringify(result, null, 2) + '\n';
  if (exportTo) {
    await writeFile(exportTo, loaded.map((l) => toDsjsonLine(l.impression!, [...l.slate.items].sort((a, b) => a.position - b.position).map((it) => it.reward)) + '\n').join(''));
  }
  if (out) await writeFile(out, json);
  const table = formatTable(rows, `off-policy estimates of ${target.kind} ${target.name} on ${loaded.length} impressions (${format}, ${logs})`);
  const head = counts ? formatDsjsonCounts(counts) : '';
  return { text: out ? `${head}${table}wrote ${out}\n` : head + table + json, result };
}

function lines(f: LogFile): Array<{ where: string; line: string }> {
  return f.text.split('\n').flatMap((line, i) => (line.trim() === '' ? [] : [{ where: `${f.name}:${i + 1}`, line }]));
}

/**
 * Our NDJSON logs: impressions and events (by their `schema`), each line checked with zod, the
 * impressions deduplicated by id (earliest copy), then rewards attributed in DuckDB exactly as
 * training does (`attributeRewards`, over the records written back as NDJSON and read with
 * `read_json`).
 */
async function parseNdjson(files: readonly LogFile[], p: AttributionParams): Promise<Loaded[]> {
  const imps = new Map<string, ImpressionRecord>();
  const events: EventRecord[] = [];
  for (const f of files) {
    for (const { where, line } of lines(f)) {
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        throw new UsageError(`ope: ${where}: not valid JSON`);
      }
      const schema = (obj as { schema?: unknown } | null)?.schema;
      if (schema === 'impression/v1') {
        const r = ImpressionRecord.safeParse(obj);
        if (!r.success) throw new UsageError(`ope: ${where}: bad impression: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
        const prev = imps.get(r.data.impression_id);
        if (!prev || r.data.ts < prev.ts) imps.set(r.data.impression_id, r.data);
      } else if (schema === 'event/v1') {
        const r = EventRecord.safeParse(obj);
        if (!r.success) throw new UsageError(`ope: ${where}: bad event: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
        events.push(r.data);
      } else {
        throw new UsageError(`ope: ${where}: neither an impression/v1 nor an event/v1 record (DSJSON needs --format dsjson)`);
      }
    }
  }
  const records = [...imps.values()];
  const reward = await attributeNdjson(records, events, p);
  return records.map((rec) => ({ slate: fromImpression(rec, rec.items.map((it) => reward.get(rewardKey(rec.impression_id, it.item_id)) ?? 0)), impression: rec }));
}

/** Rewards of checked records through the one attribution (records → NDJSON → DuckDB `read_json`). */
async function attributeNdjson(imps: readonly ImpressionRecord[], events: readonly EventRecord[], p: AttributionParams): Promise<Map<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'slatecast-ope-'));
  try {
    const ndjson = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
    const files = { impressions: join(dir, 'impressions.ndjson'), events: join(dir, 'events.ndjson') };
    await writeFile(files.impressions, ndjson(imps));
    await writeFile(files.events, ndjson(events));
    return await withDuck(async (c) => {
      await c.run(`CREATE TEMP TABLE "ope_imp" AS SELECT "impression_id", "ts", "items" FROM read_json($f, format = 'newline_delimited', columns = ${IMPRESSION_COLUMNS})`, { f: pathList([files.impressions]) });
      await attributeRewards(c, 'ope_imp', { format: 'ndjson', files: events.length > 0 ? [files.events] : [] }, p);
      return readAttributed(c);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function loadTarget(arg: string, config: BatchConfig, store: () => ObjectStore, loaded: readonly Loaded[]): Promise<{ tables: TargetTables; target: OpeCommandResult['target'] }> {
  let text: string | null = null;
  try {
    text = await readFile(arg, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`ope: --target ${arg}: ${(e as Error).message}`);
  }
  if (text !== null) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new UsageError(`ope: --target ${arg}: not valid JSON`);
    }
    const p = TargetPolicy.safeParse(json);
    if (!p.success) {
      const i = p.error.issues[0];
      throw new UsageError(`ope: --target ${arg}: not a target-policy/v1 file: ${i?.path.join('.')} ${i?.message}${(json as { schema?: unknown })?.schema === 'policy/v1' ? ' (an artifact policy.json: pass the version name instead)' : ''}`);
    }
    const positions = p.data.positions.map((row) => new Map(Object.entries(row)));
    return { tables: async () => positions, target: { kind: 'file', name: arg } };
  }
  if (arg !== 'current' && !Version.safeParse(arg).success) throw new UsageError(`ope: --target ${arg}: no such file, and not a version name (v20260101T000000Z-abc123) or "current"`);
  if (loaded.some((l) => l.impression === null)) throw new UsageError('ope: a version target needs impression records (user, surface, k); foreign DSJSON logs need a target-policy/v1 file');
  const s = store();
  let version = arg;
  let sha: string | null = null;
  if (arg === 'current') {
    const p = await readPointer(s);
    if (!p) throw new UsageError('ope: --target current: nothing is published in the bucket');
    version = p.pointer.version;
    sha = p.pointer.manifest_sha256;
  }
  let manifest;
  try {
    manifest = await readManifest(s, version, sha);
  } catch (e) {
    throw new UsageError(`ope: --target ${arg}: ${(e as Error).message}`);
  }
  const v = await VersionTarget.fromStore(s, manifest);
  return {
    tables: async (_slate, i) => {
      const rec = loaded[i]!.impression!;
      const imp: LoggedImpression = { slate: loaded[i]!.slate, user_key: rec.user_key, surface: rec.surface, k: rec.k, exclude: rec.context.exclude_item_ids, recent: rec.context.recent_item_ids };
      return v.table(imp);
    },
    target: { kind: 'version', name: version },
  };
}
