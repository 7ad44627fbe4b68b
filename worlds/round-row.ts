/** The policies every round compares, by their key in `RoundRow.value`. */
export const POLICIES = ['slatecast', 'slatecast_realised', 'random', 'popularity', 'best_global', 'oracle'] as const;
export type PolicyKey = (typeof POLICIES)[number];

/** The deploy gate's verdict on one candidate as the run record holds it, and the truth. */
export interface GateRow {
  /** A gate ran on a candidate this round (false: `--no-gate`, nothing new to learn, or no gate call). */
  ran: boolean;
  /** The gate estimated (false: it passed without evaluating, e.g. no serving version). */
  evaluated: boolean;
  publish: boolean | null;
  /** How the gate's rule decided (pass, reject, inconclusive), when it says. */
  outcome: string | null;
  reason: string | null;
  /** Δ̂ = V̂(candidate) − V̂(serving), reward per impression, with its interval and ESS. */
  delta_hat: number | null;
  ci: [number, number] | null;
  ess: number | null;
  n: number | null;
  candidate: string | null;
  serving_before: string | null;
  /** True expected clicks per slate of each version on this round's visits (null when not computable). */
  true_candidate: number | null;
  true_serving_before: number | null;
  /** (true_candidate − true_serving_before) / true_serving_before. */
  true_delta_rel: number | null;
  /** The logs could not judge the candidate and it went out as a canary (`--canary`). */
  canary?: boolean;
}

/** One round of one seed, as written to `worlds-out/<family>/<seed>.json`. */
export interface RoundRow {
  round: number;
  /** The version the edge served this round. */
  version: string;
  batch_status: string;
  batch_seconds: number;
  traffic_seconds: number;
  /** Waiting for the logs to reach S3, computing the baselines, valuing the versions. */
  other_seconds: { logs: number; baselines: number; truth: number };
  visits: number;
  cold_visits: number;
  /** Expected clicks per slate of each policy on the same visits (realised: clicks counted). */
  value: Record<PolicyKey, number>;
  /** value / oracle's value: "CTR ÷ oracle" (slates have the same length k). */
  vs_oracle: Record<PolicyKey, number>;
  /** The same on the visits of cold users only (null when there were none). */
  cold_vs_oracle: Record<PolicyKey, number> | null;
  /** Share of shown slots filled by exploration. */
  explored_share: number;
  /** Expected clicks per slot on explored and exploited slots. */
  explored_slot_value: number | null;
  exploited_slot_value: number | null;
  /** Very good new items born so far, and how many have reached exploited (non-explored) slots. */
  good_items: number;
  good_exploited: number;
  /** Of very good items born ≥ 2 rounds ago, the share that reached exploited slots within 2 rounds (null: none yet). */
  good_within_2: number | null;
  gate: GateRow;
  /** The canary serving beside `version` this round (null: none). */
  canary_version?: string | null;
  /** What this round's batch run decided of the canary of the round before (promote, rollback, wait, ended). */
  canary?: { version: string; outcome: string; reason: string } | null;
  /** A planted (worst-first, plant.ts) candidate offered to the gate this round, or null. */
  planted: GateRow | null;
  /**
   * The serving version's parts ÷ the oracle (`versionParts`), on the same visits: its ranking
   * without exploration, and its list for strangers (no cache, no session) given to every visit.
   * Null with a canary serving beside it.
   */
  serving_parts?: { ranking: number; strangers_list: number } | null;
  /** The serving version's true value by the serving view ÷ the served slates' expected clicks (≈ 1 when the view matches the edge). */
  serving_view_check: number | null;
  sources: Record<string, number>;
  errors: number;
  first_error: string | null;
}
