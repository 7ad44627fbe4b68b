/**
 * Batch-tier benchmark: `npx tsx bench/batch-run.ts [--impressions 1000000] [--backends wasm,cpu]`.
 * Prints one JSON object: bare DuckDB count(*) over the NDJSON vs the ingest step (validate,
 * dedupe, Parquet) in records/s, training samples/s per available backend, and the wall time of a
 * full `batch run` over an in-memory store (no network: it measures the batch tier itself).
 * `benchBatch` is exported for the project's benchmark suite.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CATALOG_KEY } from '../shared/artifact/paths.js';
import { MemoryStore } from '../shared/store/memory-store.js';
import { catalogNdjson } from '../gpu-batch/catalog/parse-catalog.js';
import { parseConfig } from '../gpu-batch/config/config.js';
import { LOG_TABLES } from '../gpu-batch/lake/columns.js';
import { pathList, scalar, withDuck } from '../gpu-batch/lake/duck.js';
import { runBatch } from '../gpu-batch/run/run-batch.js';
import { makeWorld, simulateLogs, writeLogObjects } from '../worlds/synth/index.js';
import { selectBackend } from '../gpu-batch/train/backend.js';
import { trainMf } from '../gpu-batch/train/mf-model.js';
import { trainingRng } from '../gpu-batch/train/init.js';
import { streamProgress, silentProgress, type Progress } from '../gpu-batch/util/progress.js';

export interface BatchBenchOptions {
  impressions: number;
  users?: number;
  items?: number;
  backends?: Array<'wasm' | 'cpu' | 'tfjs-node' | 'tfjs-node-gpu'>;
  verbose?: boolean;
}

/** Runs the benchmark; see the file comment. */
export async function benchBatch(o: BatchBenchOptions): Promise<Record<string, unknown>> {
  const users = o.users ?? Math.max(1000, Math.round(o.impressions / 20));
  const items = o.items ?? 2000;
  const perUser = Math.max(1, Math.round(o.impressions / users));
  const dir = join(tmpdir(), `slatecast-bench-${process.pid}`);
  await mkdir(dir, { recursive: true });
  const out: Record<string, unknown> = { impressions: users * perUser, users, items, cores: (await import('node:os')).availableParallelism() };
  const start = Date.parse('2026-01-01T00:00:00Z');
  try {
    // The simulated records are dropped once written: a batch process holds only what it reads.
    // (Kept alive, 1.8M record objects made every major GC of the run scan gigabytes: at 1M
    // impressions the download step took 19.4 s instead of 4.0 s and the run 68 s instead of 35 s;
    // a deployment's batch process never has them.)
    const sim = await simulated(users, items, perUser, dir, start);
    out.simulate_s = sim.simulateSeconds;
    out.events = sim.events;
    const files = sim.files;
    let t = performance.now();
    const rows = await withDuck((c) => scalar(c, `SELECT count(*) FROM read_json($f, format = 'newline_delimited', columns = ${LOG_TABLES.impressions.columns})`, { f: pathList(files) }));
    out.duckdb_count_impressions_per_s = Math.round(rows / secs(t));

    // Training throughput per backend on the same synthetic pairs.
    const n = 200_000;
    const rng = trainingRng(1, 1);
    const pairs = {
      user: Int32Array.from({ length: n }, () => Math.floor(rng.next() * users)),
      item: Int32Array.from({ length: n }, () => Math.floor(rng.next() * items)),
      y: Float32Array.from({ length: n }, () => (rng.next() < 0.2 ? 1 : 0)),
      w: Float32Array.from({ length: n }, () => 1),
      positives: 0,
      keepNegatives: 1,
    };
    const training: Record<string, unknown> = {};
    for (const b of o.backends ?? ['wasm', 'cpu']) {
      try {
        await selectBackend(b);
        // Best of two: the first pass can absorb the backend's warm-up and a major GC of the
        // simulated logs (at 1M impressions one probe read 78k/s while the run trained at 875k/s).
        let best = 0;
        for (let k = 0; k < 2; k++) best = Math.max(best, (await trainMf(pairs, { nUsers: users, nItems: items, dims: 32, epochs: 1, batchSize: 8192, learningRate: 0.15, l2: 0.02, randomNegatives: 1, seed: 1 })).samplesPerSecond);
        training[b] = Math.round(best);
      } catch (e) {
        training[b] = `unavailable: ${(e as Error).message}`;
      }
    }
    out.training_samples_per_s = training;

    // A full batch run, wasm backend, production defaults.
    const store = sim.store;
    const config = parseConfig({ s3: { bucket: 'bench' }, workDir: join(dir, 'work'), backend: 'wasm', serve: {} });
    t = performance.now();
    const rec = await runBatch(config, { store, now: () => start + 4 * 86_400_000, progress: o.verbose ? timedProgress(streamProgress()) : silentProgress });
    const wall = secs(t);
    const ingestMs = rec.steps.filter((s) => s.name === 'download' || s.name === 'ingest').reduce((a, s) => a + s.ms, 0);
    out.ingest_records_per_s = Math.round((rec.records.impressions.read + rec.records.events.read) / (ingestMs / 1000));
    // The gate as production runs it (on by default); with nothing serving yet it passes without evaluating, and says so.
    const gate = rec.gate ? { ran: true, publish: rec.gate.publish, evaluated: rec.gate.evaluated ?? null, reason: rec.gate.reason } : { ran: false };
    out.batch_run = { wall_s: Math.round(wall * 10) / 10, status: rec.status, steps: rec.steps, gate, samples_per_s: rec.training.samples_per_s, recall_ratio: (rec.metrics as { recall_ratio?: number }).recall_ratio ?? null };
    out.goal_met = wall <= 60;
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The simulated world's logs, as log objects in an in-memory bucket (with the catalog), and the
 * impressions also as local NDJSON files (the bare DuckDB floor reads them).
 */
async function simulated(users: number, items: number, perUser: number, dir: string, start: number): Promise<{ store: MemoryStore; files: string[]; events: number; simulateSeconds: number }> {
  const t = performance.now();
  const world = makeWorld({ users, items, seed: 5 });
  const logs = simulateLogs(world, { impressionsPerUser: perUser, k: 10, epsilon: 1, start, spanMs: 3 * 86_400_000, seed: 5 });
  const simulateSeconds = secs(t);
  const files: string[] = [];
  for (let s = 0, n = 0; s < logs.impressions.length; s += 5000, n++) {
    const f = join(dir, `imp-${n}.ndjson`);
    await writeFile(f, logs.impressions.slice(s, s + 5000).map((r) => JSON.stringify(r)).join('\n') + '\n');
    files.push(f);
  }
  const store = new MemoryStore();
  await store.put(CATALOG_KEY, catalogNdjson(world.items));
  await writeLogObjects(store, 'impressions', logs.impressions, { perObject: 5000, seed: 1 });
  await writeLogObjects(store, 'events', logs.events, { perObject: 5000, seed: 2 });
  return { store, files, events: logs.events.length, simulateSeconds };
}

/** Prefixes each message with the seconds since the run began, for reading a profile off the log. */
function timedProgress(p: Progress): Progress {
  const t0 = performance.now();
  const at = () => `[${secs(t0).toFixed(1)}s]`;
  return { info: (m) => p.info(`${at()} ${m}`), warn: (m) => p.warn(`${at()} ${m}`), bar: (l, d, n) => p.bar(l, d, n) };
}

function secs(t: number): number {
  return (performance.now() - t) / 1000;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { impressions: { type: 'string', default: '1000000' }, backends: { type: 'string', default: 'wasm,cpu' }, verbose: { type: 'boolean', default: false } } });
  const r = await benchBatch({ impressions: Number(values.impressions), backends: values.backends!.split(',') as BatchBenchOptions['backends'], verbose: values.verbose });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
