import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { versionName } from '../../shared/artifact/paths.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { BatchConfig } from '../config/config.js';
import { withDuck } from '../lake/duck.js';
import { gateFromConfig } from '../ope/ope-gate.js';
import type { DeploymentGate } from '../publish/gate.js';
import { silentProgress, type Progress } from '../util/progress.js';
import { randomHex as osRandomHex } from '../util/random-hex.js';
import type { RunContext, Step } from './context.js';
import { emptyRecord, runMarkdown, runRecordKey, type RunRecord, type StepName } from './run-record.js';
import { canaryStep } from './steps/canary.js';
import { downloadStep } from './steps/download.js';
import { gateStep } from './steps/gate.js';
import { ingestStep } from './steps/ingest.js';
import { listStep } from './steps/list.js';
import { policyStep } from './steps/policy.js';
import { publishStep } from './steps/publish.js';
import { trainStep } from './steps/train.js';
import { watermarkStep } from './steps/watermark.js';

/** What `runBatch` needs besides the config: I/O and hooks, injectable for tests and the demo. */
export interface BatchDeps {
  store: ObjectStore;
  /** Clock (epoch ms). */
  now?: () => number;
  progress?: Progress;
  /** Called after each step completes; throwing here simulates a crash right after that step. */
  afterStep?: (step: StepName) => void | Promise<void>;
  /**
   * Replaces the OPE gate the config describes (a test's or the world suite's wrapper around it).
   * Either way no gate runs when the config turns the gate off (`--no-gate`).
   */
  gate?: DeploymentGate;
  /** Random hex for version and run ids (default: OS CSPRNG). */
  randomHex?: (n: number) => string;
}

/** The steps of a run, in order (the pipeline diagram of gpu-batch/README.md). */
export const PIPELINE = [listStep, downloadStep, ingestStep, canaryStep, trainStep, policyStep, gateStep, publishStep, watermarkStep] as const satisfies readonly Step[];

/**
 * One retraining round: list → download → ingest → canary → train → policy → gate → publish →
 * watermark (canary only while CURRENT names one).
 *
 * Restartable at every step boundary. The watermark moves last, after the pointer swap, so a
 * crash anywhere re-reads the same objects next time; the lake deduplicates them by id, and the
 * publish decision compares fingerprints of what the serving and last-published versions learned
 * from, so the re-run neither loses nor double-counts anything (see run/decide.ts). The run opens
 * one DuckDB session that every step shares. Writes a run record to `state/runs/<id>.json` and a
 * report (JSON + Markdown) under `<workDir>/reports/`, also when the run fails, then rethrows
 * the failure.
 *
 * @returns the run record
 * @example const record = await runBatch(parseConfig({...}), { store: S3Store.fromConfig(cfg.s3) });
 */
export async function runBatch(config: BatchConfig, deps: BatchDeps): Promise<RunRecord> {
  const now = deps.now ?? Date.now;
  const progress = deps.progress ?? silentProgress;
  const randomHex = deps.randomHex ?? osRandomHex;
  const started = now();
  const runId = versionName(started, randomHex(6)).replace(/^v/, 'run-');
  const record = emptyRecord(runId, started);
  const dirs = { inbox: join(config.workDir, 'inbox', runId), staging: join(config.workDir, 'staging', runId), lakeRoot: join(config.workDir, 'lake') };
  const gate = config.gate.enabled ? (deps.gate ?? gateFromConfig(config, progress)) : null;
  try {
    await withDuck(
      async (duck) => {
        const ctx: RunContext = { config, store: deps.store, duck, now, progress, randomHex, gate, runId, started, dirs, record, results: {} };
        for (const step of PIPELINE) {
          if (step.applies && !step.applies(ctx)) continue;
          // Step durations use the monotonic clock: `now` may be a test's frozen clock.
          const t = performance.now();
          (ctx.results as Record<StepName, unknown>)[step.name] = await step.run(ctx);
          record.steps.push({ name: step.name, ms: Math.round(performance.now() - t) });
          await deps.afterStep?.(step.name);
        }
      },
      { tempDir: join(config.workDir, 'duckdb-tmp') },
    );
    return record;
  } catch (e) {
    record.status = 'failed';
    record.error = (e as Error).message;
    throw e;
  } finally {
    record.finished_at = now();
    await rm(dirs.inbox, { recursive: true, force: true });
    await rm(dirs.staging, { recursive: true, force: true });
    await saveRecord(deps.store, config, record, progress);
  }
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
