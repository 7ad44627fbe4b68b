import type { DuckDBConnection } from '@duckdb/node-api';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { BatchConfig } from '../config/config.js';
import type { DeploymentGate } from '../publish/gate.js';
import type { Progress } from '../util/progress.js';
import type { RunRecord, StepName } from './run-record.js';
import type { DownloadedLogs } from './steps/download.js';
import type { Ingested } from './steps/ingest.js';
import type { Listed } from './steps/list.js';
import type { Settled } from './steps/canary.js';
import type { Judged } from './steps/gate.js';
import type { Candidate } from './steps/policy.js';
import type { Learned } from '../learn/learn.js';

/** Local folders of one run; inbox and staging are removed when it ends. */
export interface RunDirs {
  inbox: string;
  staging: string;
  lakeRoot: string;
}

/** What each step hands on to the later ones, by step name. */
export interface StepResults {
  list: Listed;
  download: DownloadedLogs;
  ingest: Ingested;
  canary: Settled;
  train: Learned;
  policy: Candidate;
  gate: Judged;
  /** The version published (null when the gate rejected the candidate). */
  publish: string | null;
  watermark: null;
}

/**
 * What every step of a run sees: the configuration, the injected I/O, the run's one DuckDB
 * session, and what the steps before it produced. Steps write what they learn into `record`
 * (the run record) and return their result, which `runBatch` files under `results`.
 */
export interface RunContext {
  readonly config: BatchConfig;
  readonly store: ObjectStore;
  /** The run's one DuckDB session: validation, the lake, training tables, the ε choice and the gate read through it. */
  readonly duck: DuckDBConnection;
  /** Clock (epoch ms). */
  readonly now: () => number;
  readonly progress: Progress;
  readonly randomHex: (n: number) => string;
  /** The deploy gate the config asks for (null with `--no-gate`). */
  readonly gate: DeploymentGate | null;
  readonly runId: string;
  /** When the run started (epoch ms, from `now`). */
  readonly started: number;
  readonly dirs: RunDirs;
  readonly record: RunRecord;
  readonly results: Partial<StepResults>;
}

/** One named step of `batch run`: does one thing and returns what later steps need. */
export interface Step<N extends StepName = StepName> {
  name: N;
  /** False when the step does not apply to this run (nothing to learn, the gate rejected): it is skipped and not recorded. */
  applies?: (ctx: RunContext) => boolean;
  run: (ctx: RunContext) => Promise<StepResults[N]>;
}

/**
 * The result of an earlier step.
 * @throws Error when that step has not run (a step list out of order)
 */
export function resultOf<N extends StepName>(ctx: RunContext, name: N): StepResults[N] {
  if (!(name in ctx.results)) throw new Error(`step "${name}" has not run before this one`);
  return ctx.results[name] as StepResults[N];
}
