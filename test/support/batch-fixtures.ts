import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATALOG_KEY } from '../../shared/artifact/paths.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import { catalogNdjson } from '../../gpu-batch/catalog/parse-catalog.js';
import { parseConfig, type BatchConfig, type BatchConfigInput } from '../../gpu-batch/config/config.js';
import { makeWorld, simulateLogs, writeLogObjects, type World } from '../../worlds/synth/index.js';
import type { EventRecord } from '../../shared/schemas/event.js';
import type { ImpressionRecord } from '../../shared/schemas/impression.js';
import { readManifest, readPointer } from '../../shared/artifact/verify.js';
import type { Manifest } from '../../shared/schemas/artifact.js';
import { runBatch } from '../../gpu-batch/run/run-batch.js';

/** Start of synthetic time in batch tests. */
export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const DAY = 86_400_000;

/** A fresh work dir under the OS temp dir, removed by the returned cleanup. */
export async function tempWorkDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'slatecast-batch-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A small, fast batch config for tests (wasm backend, few epochs, no deploy gate: tests of the
 * gate pass `gate: {…}`), over `overrides`.
 */
export function testConfig(workDir: string, overrides: Partial<BatchConfigInput> = {}): BatchConfig {
  return parseConfig({ s3: { bucket: 'slatecast' }, workDir, backend: 'wasm', epochs: 4, finetuneEpochs: 1, serve: {}, gate: { enabled: false }, ...overrides });
}

export interface SyntheticLogs {
  world: World;
  impressions: ImpressionRecord[];
  events: EventRecord[];
  /** Keys of the log objects written (duplicates included). */
  keys: string[];
}

/**
 * Uploads a catalog and synthetic logs (with duplicate objects, as at-least-once delivery makes)
 * for a small world, all within [start, start + spanMs).
 */
export async function seedLogs(store: ObjectStore, o: { users: number; items: number; impressionsPerUser: number; seed: number; start?: number; spanMs?: number; duplicateObjects?: number; perObject?: number; catalog?: boolean }): Promise<SyntheticLogs> {
  const world = makeWorld({ users: o.users, items: o.items, seed: o.seed });
  if (o.catalog !== false) await store.put(CATALOG_KEY, catalogNdjson(world.items));
  const logs = simulateLogs(world, { impressionsPerUser: o.impressionsPerUser, k: 10, epsilon: 1, start: o.start ?? T0, spanMs: o.spanMs ?? DAY, seed: o.seed, lateFraction: 0.05 });
  const keys = [
    ...(await writeLogObjects(store, 'impressions', logs.impressions, { perObject: o.perObject ?? 200, seed: o.seed, duplicateObjects: o.duplicateObjects ?? 0.2 })),
    ...(await writeLogObjects(store, 'events', logs.events, { perObject: o.perObject ?? 200, seed: o.seed + 1, duplicateObjects: o.duplicateObjects ?? 0.2 })),
  ];
  return { world, ...logs, keys };
}

/**
 * Writes synthetic logs to the store as the queue consumer would, runs one batch with the
 * defaults of `batch run` (wasm backend, no deploy gate) and returns the published manifest.
 */
export async function publishFromLogs(store: ObjectStore, logs: { impressions: ImpressionRecord[]; events: EventRecord[] }, seed: number): Promise<Manifest> {
  const work = await tempWorkDir();
  try {
    await writeLogObjects(store, 'impressions', logs.impressions, { perObject: 1000, seed });
    await writeLogObjects(store, 'events', logs.events, { perObject: 1000, seed: seed + 1 });
    const config = parseConfig({ s3: { bucket: 'slatecast' }, workDir: work.dir, backend: 'wasm', serve: {}, gate: { enabled: false } });
    const run = await runBatch(config, { store, now: () => T0 + 2 * DAY });
    if (run.status !== 'published') throw new Error(`batch run ${run.status}`);
    const p = (await readPointer(store))!;
    return await readManifest(store, p.pointer.version, p.pointer.manifest_sha256);
  } finally {
    await work.cleanup();
  }
}

/**
 * Runs the batch CLI in-process (as `slatecast …` would) with `--quiet`, capturing stdout.
 * @param env the environment the CLI sees (S3_* and SLATECAST_WORK_DIR)
 */
export async function runCli(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string }> {
  const { PassThrough } = await import('node:stream');
  const { main } = await import('../../gpu-batch/cli-main.js');
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  const code = await main([...argv, '--quiet'], env, out as unknown as NodeJS.WriteStream);
  return { code, out: text };
}
