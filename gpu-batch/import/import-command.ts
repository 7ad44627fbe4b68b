import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { logKey } from '../../shared/artifact/paths.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { BatchConfig } from '../config/config.js';
import { UsageError } from '../config/errors.js';
import { listLogSources, LOG_EXTENSIONS, type LogSource } from '../ope/log-files.js';
import { randomHex } from '../util/random-hex.js';
import { DsjsonTally, formatDsjsonCounts, type DsjsonCounts } from './read-dsjson.js';
import { decisionRecords } from './to-records.js';

/** Records per written log object (a queue batch writes at most a few thousand too). */
const PER_OBJECT = 5000;

/** `slatecast import dsjson`'s options, as its flag schema (cli/commands/import-dsjson.ts) parses them. */
export interface ImportOptions {
  /** The surface the decisions were made on (`--surface`). */
  surface: string;
  /** Check every line first; a malformed one stops the import before anything is written. */
  strict: boolean;
  /** Write under this folder instead of the bucket. */
  out: string | null;
}

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
 * project's training logs. Lines stream through (`DsjsonTally`: non-decisions skipped and
 * counted), each decision becomes an impression and its rewarded slots click events
 * (`decisionRecords`), and every `PER_OBJECT` records are written as an NDJSON log object under
 * `logs/` — in the bucket, or under `--out DIR` in the same layout — so the next `batch run` trains
 * on them. With `--strict` every line is checked in a first pass, so a malformed line stops the
 * import before anything is written.
 *
 * Keys are named as if written `settle` before now: log keys sort by write time, the watermark
 * only moves forward, and a run takes only keys older than `now − settle`; naming them after the
 * decisions' own (old) times would put them behind the watermark, never to be read. Re-importing
 * writes the same ids, which the lake de-duplicates.
 * @param now epoch ms (tests pass a clock)
 */
export async function importDsjsonCommand(config: BatchConfig, o: ImportOptions, paths: readonly string[], store: () => ObjectStore, now = Date.now()): Promise<{ text: string; result: ImportResult }> {
  if (paths.length === 0) throw new UsageError('import dsjson: name at least one file, folder or s3://bucket/prefix');
  const { sources, passedOver } = await listLogSources('import dsjson', paths, LOG_EXTENSIONS.dsjson, config, store);
  const { strict, out, surface } = o;
  if (strict) await drain(new DsjsonTally({ strict }), sources);

  const keyTime = Math.max(0, now - config.settleMs - 1000);
  const objects: string[] = [];
  const write = async (kind: 'impressions' | 'events', lines: string[]) => {
    if (lines.length === 0) return;
    const key = logKey(kind, keyTime, `${String(keyTime).padStart(13, '0')}-${randomHex(16)}`);
    const body = lines.join('\n') + '\n';
    lines.length = 0;
    if (out) {
      const path = join(out, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, body);
      objects.push(path);
    } else {
      await store().put(key, body, { contentType: 'application/x-ndjson' });
      objects.push(key);
    }
  };
  const tally = new DsjsonTally({ strict, passedOver });
  const impressions: string[] = [];
  const events: string[] = [];
  let nImpressions = 0;
  let nEvents = 0;
  for (const src of sources) {
    for await (const d of tally.file(src.name, src.lines())) {
      const r = decisionRecords(d, { surface, now });
      impressions.push(JSON.stringify(r.impression));
      nImpressions++;
      for (const e of r.events) events.push(JSON.stringify(e));
      nEvents += r.events.length;
      // Impressions go first: an event object never lands before the impressions it rewards.
      if (impressions.length >= PER_OBJECT) await write('impressions', impressions);
      if (events.length >= PER_OBJECT) {
        await write('impressions', impressions);
        await write('events', events);
      }
    }
  }
  const counts = tally.counts;
  if (counts.decisions === 0) throw new UsageError(`import dsjson: no decisions in ${paths.join(' ')}\n${formatDsjsonCounts(counts)}`);
  await write('impressions', impressions);
  await write('events', events);
  const result: ImportResult = { schema: 'dsjson-import/v1', dsjson: counts, impressions: nImpressions, events: nEvents, objects };
  const where = out ? `under ${out}` : `to s3://${config.s3.bucket}/logs/`;
  return { text: `${formatDsjsonCounts(counts)}wrote ${nImpressions} impressions and ${nEvents} click events in ${objects.length} objects ${where}\n${JSON.stringify(result)}\n`, result };
}

/** Reads every line (the strict pre-check), keeping nothing. */
async function drain(tally: DsjsonTally, sources: readonly LogSource[]): Promise<void> {
  for (const src of sources) for await (const _ of tally.file(src.name, src.lines()));
}
