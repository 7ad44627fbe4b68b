import type { DuckDBConnection } from '@duckdb/node-api';
import type { Manifest } from '../../shared/schemas/artifact.js';
import type { ObjectStore } from '../../shared/store/object-store.js';

/** What the gate sees: the candidate's files and draft manifest, and the serving version. */
export interface GateInput {
  store: ObjectStore;
  candidate: {
    version: string;
    files: Readonly<Record<string, Uint8Array>>;
    metrics: Record<string, unknown>;
    /**
     * Share of the gate's window the candidate's per-user learning held out (`Learned.evalSlice`,
     * `manifest.training.eval_slice`): what a gate may judge it on as unseen; 0: it learnt from all.
     */
    evalSlice: number;
  };
  serving: Manifest | null;
  /** Local Parquet lake files, for off-policy estimates over the logged propensities. */
  lake: { impressions: readonly string[]; events: readonly string[] };
  /** The run's DuckDB session, to read the lake with. */
  duck: DuckDBConnection;
}

/**
 * The gate's verdict, recorded verbatim as `manifest.gate`. Shaped so that shared/ope's
 * `gateDecision(...)` result can be returned as is.
 */
export interface GateVerdict {
  /** false: do not publish; the run ends `rejected` and the watermark still advances. */
  publish: boolean;
  reason: string;
  /**
   * True when the logs cannot tell whether the candidate is worse beyond the margin (the interval
   * straddles it, or the logs hold no exploration to judge another ranking by): with `--canary` the candidate then
   * serves a share of users instead, and the next run decides on that traffic.
   */
  undecided?: boolean;
}

/**
 * Deployment gate hook: `batch run` asks the gate its config names (the off-policy evaluation
 * gate of ope/ope-gate.ts; none with `--no-gate`, and then `manifest.gate` is null).
 */
export type DeploymentGate = (input: GateInput) => Promise<GateVerdict | null>;
