import { mkdir, rm, writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { EVENTS_PREFIX, IMPRESSIONS_PREFIX, versionName } from '../../shared/artifact/paths.js';
import { publishVersion } from '../../shared/artifact/publish.js';
import { pointerProblem, resolveServing } from '../../shared/artifact/resolve.js';
import { readManifest } from '../../shared/artifact/verify.js';
import type { Manifest, Watermark } from '../../shared/schemas/artifact.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import { loadCatalog } from '../catalog/catalog-store.js';
import type { BatchConfig } from '../config/config.js';
import { readLakeCounts } from '../dataset/read-dataset.js';
import { downloadLogs } from '../ingest/download.js';
import { selectSettled } from '../ingest/log-keys.js';
import { readWatermark, writeWatermark } from '../ingest/watermark.js';
import { withDuck } from '../lake/duck.js';
import { appendToLake } from '../lake/lake-append.js';
import { syncLake, type LakePart } from '../lake/lake-sync.js';
import type { DeploymentGate, GateVerdict } from '../publish/gate.js';
import { collectGarbage } from '../publish/gc.js';
import { chooseSurfaceEpsilons } from '../ope/epsilon.js';
import { selectBackend, type BackendInfo } from '../train/backend.js';
import { silentProgress, type Progress } from '../util/progress.js';
import { randomHex as osRandomHex } from '../util/random-hex.js';
import { versionFiles } from './artifact-files.js';
import { decidePublish } from './decide.js';
import { lakeFingerprint } from './fingerprint.js';
import { learn } from './learn.js';
import { runMarkdown, runRecordKey, type RunRecord, type StepName } from './run-record.js';

/** What `runBatch` needs besides the config: I/O and hooks, injectable for tests and the demo. */
export interface BatchDeps {
  store: ObjectStore;
  /** Clock (epoch ms). */
  now?: () => number;
  progress?: Progress;
  /** Called after each step completes; throwing here simulates a crash right after that step. */
  afterStep?: (step: StepName) => void | Promise<void>;
  /** The deployment gate (OPE); absent = ungated, `manifest.gate` = null. */
  gate?: DeploymentGate;
  /** Random hex for version and run ids (default: OS CSPRNG). */
  randomHex?: (n: number) => string;
}

let backend: { requested: string; info: Promise<BackendInfo> } | null = null;

/** The tfjs backend is process-global: choose it once per requested choice and reuse it. */
async function backendFor(config: BatchConfig): Promise<BackendInfo> {
  // Re-select when another caller switched tfjs's global backend since (the benchmark does).
  if (backend && backend.requested === config.backend && (await backend.info.catch(() => null))?.backend !== tf.getBackend()) backend = null;
  if (!backend || backend.requested !== config.backend) {
    const info = selectBackend(config.backend);
    backend = { requested: config.backend, info };
    info.catch(() => (backend = null));
  }
  return backend.info;
}

/**
 * One retraining round: list → download → ingest → train → policy → publish → watermark.
 *
 * Restartable at every step boundary. The watermark moves last, after the pointer swap, so a
 * crash anywhere re-reads the same objects next time; the lake deduplicates them by id, and the
 * publish decision compares fingerprints of what the serving and last-published versions learned
 * from, so the re-run neither loses nor double-counts anything (see run/decide.ts). Writes a run
 * record to `state/runs/<id>.json` and a report (JSON + Markdown) under `<workDir>/reports/`,
 * also when the run fails, then rethrows the failure.
 *
 * @returns the run record
 * @example const record = await runBatch(parseConfig({...}), { store: S3Store.fromConfig(cfg.s3) });
 */
export async function runBatch(config: BatchConfig, deps: BatchDeps): Promise<RunRecord> {
  const now = deps.now ?? Date.now;
  const progress = deps.progress ?? silentProgress;
  const hex = deps.randomHex ?? osRandomHex;
  const store = deps.store;
  const started = now();
  const runId = versionName(started, hex(6)).replace(/^v/, 'run-');
  const record: RunRecord = {
    schema: 'batch-run/v1',
    run_id: runId,
    started_at: started,
    finished_at: started,
    status: 'failed',
    error: null,
    decision: null,
    version: null,
    serving_before: null,
    steps: [],
    objects: { impressions: 0, events: 0, waiting: 0 },
    records: { impressions: { read: 0, added: 0 }, events: { read: 0, added: 0 } },
    quarantined: [],
    counts: {},
    metrics: {},
    training: {},
    policy: {},
    watermark: null,
    gate: null,
    garbage_collected: [],
  };
  const inbox = join(config.workDir, 'inbox', runId);
  const staging = join(config.workDir, 'staging', runId);
  const lakeRoot = join(config.workDir, 'lake');
  // Step durations use the monotonic clock: `now` may be a test's frozen clock.
  let t = performance.now();
  const done = async (step: StepName) => {
    const end = performance.now();
    record.steps.push({ name: step, ms: Math.round(end - t) });
    t = end;
    await deps.afterStep?.(step);
  };

  try {
    // 1. list
    progress.info(`batch run ${runId}`);
    const wm = await readWatermark(store);
    // What serves is what the edge would serve: CURRENT's version, or the newest one in its
    // history that verifies. A corrupt newest version or a bad pointer is published over.
    const resolved = await resolveServing(store);
    const named = resolved.pointer.kind === 'ok' ? resolved.pointer.pointer.version : null;
    const broken = pointerProblem(resolved);
    if (broken) progress.warn(`${broken}; this run publishes over it`);
    record.serving_before = resolved.serving?.entry.version ?? null;
    const cutoff = started - config.settleMs;
    // Both kinds listed, then downloaded, concurrently: the steps are round-trip bound.
    const [impListed, evListed] = await Promise.all([
      store.list(IMPRESSIONS_PREFIX, { startAfter: wm.watermark?.impressions_after || undefined }),
      store.list(EVENTS_PREFIX, { startAfter: wm.watermark?.events_after || undefined }),
    ]);
    const imp = selectSettled(impListed, wm.watermark?.impressions_after ?? '', cutoff);
    const ev = selectSettled(evListed, wm.watermark?.events_after ?? '', cutoff);
    record.objects = { impressions: imp.take.length, events: ev.take.length, waiting: imp.waiting + ev.waiting };
    progress.info(`list: ${imp.take.length} impression and ${ev.take.length} event objects to consume, ${imp.waiting + ev.waiting} still settling`);
    await done('list');

    // 2. download
    const [dImp, dEv] = await Promise.all([
      downloadLogs(store, imp.take, 'impressions', join(inbox, 'impressions'), { now: started, progress }),
      downloadLogs(store, ev.take, 'events', join(inbox, 'events'), { now: started, progress }),
    ]);
    record.quarantined = [...dImp.quarantined, ...dEv.quarantined];
    await done('download');

    // 3. ingest: mirror the lake, append what is new, count everything.
    const parts: Record<'impressions' | 'events', LakePart[]> = {
      impressions: await syncLake(store, 'impressions', lakeRoot, progress),
      events: await syncLake(store, 'events', lakeRoot, progress),
    };
    await withDuck(async (c) => {
      for (const kind of ['impressions', 'events'] as const) {
        const files = kind === 'impressions' ? dImp.files : dEv.files;
        const a = await appendToLake(c, store, kind, files, parts[kind], { staging, lakeRoot }, runId);
        record.records[kind] = { read: a.read, added: a.added };
        parts[kind] = [...parts[kind], ...a.parts];
      }
      record.counts = await readLakeCounts(c, lakeFiles(parts));
    });
    progress.info(`ingest: ${record.records.impressions.added} new impressions, ${record.records.events.added} new events (lake: ${record.counts.impressions} / ${record.counts.events})`);
    await done('ingest');

    // Decide whether anything changed since the batch last published.
    const catalog = await loadCatalog(store, (m) => progress.warn(m));
    const fingerprint = { lake: await lakeFingerprint([...parts.impressions, ...parts.events]), catalog: catalog.sha256 };
    const serving = resolved.serving?.manifest ?? null;
    const lastPublished = wm.watermark?.version && wm.watermark.version !== serving?.version ? await readManifest(store, wm.watermark.version, null).catch(() => null) : null;
    const decision = broken ? { publish: true, reason: `replacing a broken CURRENT (${broken})` } : decidePublish(fingerprint, serving, lastPublished, config.force);
    record.decision = decision.reason;
    progress.info(`decision: ${decision.publish ? 'publish' : 'no new version'} (${decision.reason})`);
    let published: string | null = null;

    if (decision.publish) {
      if (parts.impressions.length === 0 && catalog.items.length === 0) {
        throw new Error('nothing to learn from: no logs and no catalog (upload one with `slatecast catalog put items.ndjson`)');
      }
      // 4. train
      const backend = await backendFor(config);
      progress.info(`tfjs backend: ${backend.backend} (${backend.provider}${backend.simd ? ', SIMD' : ''}${backend.adapter ? `, ${backend.adapter.api} on ${backend.adapter.device || backend.adapter.description}${backend.adapter.software ? ' (software)' : ''}` : ''})`);
      const version = versionName(now(), hex(6));
      const learned = await learn(config, lakeFiles(parts), catalog.items, {
        progress,
        now: started,
        backend: { backend: backend.backend, provider: backend.provider, simd: backend.simd, requested: backend.requested, adapter: backend.adapter, versions: backend.versions },
        servingSince: serving?.created_at ?? 0,
      });
      record.training = learned.training;
      record.metrics = learned.metrics;
      await done('train');

      // 5. policy + candidate files
      const generation = serving ? (typeof serving.training.generation === 'number' ? serving.training.generation + 1 : 1) : 0;
      const vf = versionFiles(config, learned, version, generation);
      record.policy = vf.policySummary;
      if (!learned.bootstrap) {
        // Epsilon per surface from off-policy estimates (the rule's value is the floor).
        const eps = await chooseSurfaceEpsilons(config, { version, files: vf.files }, lakeFiles(parts));
        if (Object.keys(eps).length > 0) {
          learned.metrics.epsilon = eps;
          record.policy = { ...record.policy, epsilon: Object.fromEntries(Object.entries(eps).map(([s, e]) => [s, e.chosen])), epsilon_rule: Object.fromEntries(Object.entries(eps).map(([s, e]) => [s, e.rule])) };
          for (const [s, e] of Object.entries(eps)) progress.info(`epsilon ${s}: ${e.chosen} (${e.source}: ${e.reason})`);
        }
      }
      await done('policy');

      // 6. gate, publish
      const gate: GateVerdict | null = deps.gate ? await deps.gate({ store, candidate: { version, files: vf.files, metrics: learned.metrics }, serving, lake: lakeFiles(parts) }) : null;
      record.gate = gate ? { ...gate } : null;
      if (gate && !gate.publish) {
        record.status = 'rejected';
        record.decision = `gate rejected ${version}: ${gate.reason}`;
      } else {
        const draft = {
          version,
          created_at: now(),
          parent_version: serving?.version ?? null,
          shards: vf.shards,
          item_count: learned.itemIds.length,
          dims: learned.params.dims,
          training: { ...learned.training, lake_fingerprint: fingerprint.lake, catalog_sha256: fingerprint.catalog, bootstrap: learned.bootstrap, run_id: runId, generation },
          metrics: learned.metrics,
          counts: { ...record.counts, rewarded_items: learned.rewardedRows },
          gate: gate ? { ...gate } : null,
        } satisfies Omit<Manifest, 'files' | 'schema'>;
        const result = await publishVersion(store, draft, vf.files, {
          reason: learned.bootstrap ? 'bootstrap' : `publish ${runId}`,
          now: now(),
          // Compare-and-swap against what CURRENT names, which may be the broken version.
          expectedPrevious: named,
          onProgress: (d, n) => progress.bar('publish', d, n),
        });
        published = result.version;
        record.version = published;
        record.counts = draft.counts;
        record.status = 'published';
        progress.info(`published ${published} (${(result.bytes / 1024).toFixed(0)} KiB, ${vf.shards} shards)`);
      }
      await done('publish');
    } else {
      record.status = 'unchanged';
      record.counts = { ...record.counts, ...(serving?.counts.rewarded_items !== undefined ? { rewarded_items: serving.counts.rewarded_items } : {}) };
    }

    // 7. watermark — last, and only when something was consumed.
    if (imp.take.length > 0 || ev.take.length > 0 || published) {
      const next: Watermark = {
        schema: 'watermark/v1',
        impressions_after: imp.watermark,
        events_after: ev.watermark,
        updated_at: now(),
        version: published ?? wm.watermark?.version ?? serving?.version ?? null,
      };
      await writeWatermark(store, next, wm);
      record.watermark = { impressions_after: next.impressions_after, events_after: next.events_after };
    }
    await done('watermark');
    if (published) record.garbage_collected = await collectGarbage(store, config.keepVersions);
    return record;
  } catch (e) {
    record.status = 'failed';
    record.error = (e as Error).message;
    throw e;
  } finally {
    record.finished_at = now();
    await rm(inbox, { recursive: true, force: true });
    await rm(staging, { recursive: true, force: true });
    await saveRecord(store, config, record, progress);
  }
}

function lakeFiles(parts: Record<'impressions' | 'events', LakePart[]>): { impressions: string[]; events: string[] } {
  return { impressions: parts.impressions.map((p) => p.path), events: parts.events.map((p) => p.path) };
}

/** Best effort: a failing record write must not mask the run's own outcome. */
async function saveRecord(store: ObjectStore, config: BatchConfig, record: RunRecord, progress: Progress): Promise<void> {
  try {
    await store.put(runRecordKey(record.run_id), JSON.stringify(record, null, 2), { contentType: 'application/json' });
  } catch (e) {
    progress.warn(`could not store the run record: ${(e as Error).message}`);
  }
  try {
    const dir = join(config.workDir, 'reports');
    await mkdir(dir, { recursive: true });
    const json = JSON.stringify(record, null, 2);
    const md = runMarkdown(record);
    await writeFile(join(dir, `${record.run_id}.json`), json);
    await writeFile(join(dir, `${record.run_id}.md`), md);
    await writeFile(join(dir, 'latest.json'), json);
    await writeFile(join(dir, 'latest.md'), md);
  } catch (e) {
    progress.warn(`could not write the local report: ${(e as Error).message}`);
  }
}
