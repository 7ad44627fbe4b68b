import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { logKey } from '../../shared/artifact/paths.js';
import { Surface } from '../../shared/schemas/common.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { BatchConfig, Flags } from '../config/config.js';
import { UsageError } from '../config/errors.js';
import { LOG_EXTENSIONS, readLogFiles } from '../ope/log-files.js';
import { randomHex } from '../util/random-hex.js';
import { formatDsjsonCounts, readDsjsonFiles, type DsjsonCounts } from './read-dsjson.js';
import { decisionRecords } from './to-records.js';

/** Records per written log object (a queue batch writes at most a few thousand too). */
const PER_OBJECT = 5000;

/** What `slatecast import dsjson` did. */
export interface ImportResult {
  schema: 'dsjson-import/v1';
  dsjson: DsjsonCounts;
  impressions: number;
  events: number;
  /** Where the records went: object keys, or files under `--out`. */
  objects: string[];
}

/**
 * `slatecast import dsjson <files|folders|s3://bucket/prefix>…`: Decision Service logs as this
 * project's training logs. Every line is read first (`readDsjsonFiles`: non-decisions skipped
 * and counted), each decision becomes an impression and its rewarded slots click events
 * (`decisionRecords`), and the records are written as NDJSON log objects under `logs/` — in the
 * bucket, or under `--out DIR` in the same layout — so the next `batch run` trains on them.
 *
 * Keys are named as if written `settle` before now: log keys sort by write time, the watermark
 * only moves forward, and a run takes only keys older than `now − settle`; naming them after the
 * decisions' own (old) times would put them behind the watermark, never to be read.
 * @param now epoch ms (tests pass a clock)
 */
export async function importDsjsonCommand(config: BatchConfig, flags: Flags, paths: readonly string[], store: () => ObjectStore, now = Date.now()): Promise<{ text: string; result: ImportResult }> {
  if (paths.length === 0) throw new UsageError('import dsjson: name at least one file, folder or s3://bucket/prefix');
  const surface = Surface.safeParse(flags['surface'] ?? 'home');
  if (!surface.success) throw new UsageError(`import dsjson: --surface ${String(flags['surface'])}: ${surface.error.issues[0]?.message}`);
  const { files, passedOver } = await readLogFiles('import dsjson', paths, LOG_EXTENSIONS.dsjson, config, store);
  const { decisions, counts } = readDsjsonFiles(files, { strict: flags['strict'] === true, passedOver });
  if (decisions.length === 0) throw new UsageError(`import dsjson: no decisions in ${paths.join(' ')}\n${formatDsjsonCounts(counts)}`);

  const impressions: string[] = [];
  const events: string[] = [];
  for (const d of decisions) {
    const r = decisionRecords(d, { surface: surface.data, now });
    impressions.push(JSON.stringify(r.impression));
    for (const e of r.events) events.push(JSON.stringify(e));
  }
  const keyTime = Math.max(0, now - config.settleMs - 1000);
  const objects: string[] = [];
  const out = typeof flags['out'] === 'string' ? (flags['out'] as string) : null;
  for (const [kind, lines] of [['impressions', impressions], ['events', events]] as const) {
    for (let i = 0; i < lines.length; i += PER_OBJECT) {
      const key = logKey(kind, keyTime, `${String(keyTime).padStart(13, '0')}-${randomHex(16)}`);
      const body = lines.slice(i, i + PER_OBJECT).join('\n') + '\n';
      if (out) {
        const path = join(out, key);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, body);
        objects.push(path);
      } else {
        await store().put(key, body, { contentType: 'application/x-ndjson' });
        objects.push(key);
      }
    }
  }
  const result: ImportResult = { schema: 'dsjson-import/v1', dsjson: counts, impressions: impressions.length, events: events.length, objects };
  const where = out ? `under ${out}` : `to s3://${config.s3.bucket}/logs/`;
  return { text: `${formatDsjsonCounts(counts)}wrote ${impressions.length} impressions and ${events.length} click events in ${objects.length} objects ${where}\n${JSON.stringify(result)}\n`, result };
}
