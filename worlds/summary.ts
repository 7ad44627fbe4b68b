import { POLICIES, type GateRow, type PolicyKey, type RoundRow } from './round-row.js';
import type { WorldRun } from './run-world.js';

/** Mean and min–max over seeds of one figure. */
export interface Spread {
  mean: number;
  min: number;
  max: number;
  n: number;
}

/** One round over seeds. */
export interface SummaryRound {
  round: number;
  vs_oracle: Record<PolicyKey, Spread>;
  cold_vs_oracle: Record<PolicyKey, Spread | null>;
  explored_share: Spread;
  /** The serving version's ranking without exploration and its strangers' list, ÷ oracle (`RoundRow.serving_parts`). */
  serving_parts: { ranking: Spread | null; strangers_list: Spread | null };
  good_within_2: Spread | null;
  /** How the gate decided, over seeds: "publish", "reject", "canary", "pass (not evaluated)", "no gate". */
  gate: Record<string, number>;
}

/** Gate decisions against the truth (true value difference relative to the serving version). */
export interface Confusion {
  /** Threshold on |true Δ| / V(serving) for "better" / "worse". */
  margin: number;
  /** truth → decision → count; truth ∈ better, worse, similar, unknown; decision ∈ published, rejected, unevaluated. */
  candidates: Record<string, Record<string, number>>;
  planted: Record<string, Record<string, number>>;
  /** Longest run of consecutive rounds, in any seed, in which the gate rejected a candidate truly better by > margin. */
  longest_better_rejected_streak: number;
  /**
   * Candidates that went out as canaries (`--canary`), by truth class (their true value against the
   * serving version's on the round they served) and what the next run decided: promote, rollback, wait.
   */
  canaries?: Record<string, Record<string, number>>;
}

/** One gate decision of one seed, for the report's decision table. */
export interface Decision {
  seed: string;
  round: number;
  gate: GateRow;
  planted: GateRow | null;
}

export interface FamilySummary {
  family: string;
  seeds: string[];
  rounds: SummaryRound[];
  confusion: Confusion;
  decisions: Decision[];
}

/** Mean and range of the finite values, or null when there are none. */
export function spread(xs: ReadonlyArray<number | null | undefined>): Spread | null {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (!v.length) return null;
  return { mean: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v), max: Math.max(...v), n: v.length };
}

/** The truth class of a candidate: better / worse by more than `margin` of the serving value, similar, or unknown. */
export function truthClass(g: GateRow, margin: number): string {
  if (g.true_delta_rel === null) return 'unknown';
  return g.true_delta_rel > margin ? 'better' : g.true_delta_rel < -margin ? 'worse' : 'similar';
}

function decision(g: GateRow): string {
  if (!g.ran) return 'no gate';
  if (!g.evaluated) return 'pass (not evaluated)';
  if (g.canary) return 'canary';
  return g.publish ? 'publish' : 'reject';
}

/**
 * Aggregates the seeds of one family round by round (mean and min–max), and tallies every gate
 * decision against the truth.
 * @param margin relative true difference that counts as better / worse (default 5%)
 */
export function summarise(family: string, runs: readonly WorldRun[], margin = 0.05): FamilySummary {
  const rounds = [...new Set(runs.flatMap((r) => r.rounds.map((x) => x.round)))].sort((a, b) => a - b);
  const at = (round: number) => runs.map((r) => r.rounds.find((x) => x.round === round)).filter((x): x is RoundRow => x !== undefined);
  const tally = (rows: GateRow[]) => {
    const t: Record<string, Record<string, number>> = {};
    for (const g of rows) {
      if (!g.ran || g.candidate === null || g.serving_before === null) continue;
      const truth = truthClass(g, margin);
      const d = g.canary ? 'canary' : g.evaluated ? (g.publish ? 'published' : 'rejected') : 'unevaluated';
      t[truth] ??= {};
      t[truth][d] = (t[truth][d] ?? 0) + 1;
    }
    return t;
  };
  const all = runs.flatMap((r) => r.rounds);
  const canaries: Record<string, Record<string, number>> = {};
  for (const run of runs) {
    run.rounds.forEach((r, i) => {
      if (!r.gate.canary) return;
      const truth = truthClass(r.gate, margin);
      const next = run.rounds[i + 1]?.canary?.outcome ?? 'not judged';
      canaries[truth] ??= {};
      canaries[truth][next] = (canaries[truth][next] ?? 0) + 1;
    });
  }
  let longest = 0;
  for (const run of runs) {
    let streak = 0;
    for (const r of run.rounds) {
      streak = r.gate.evaluated && r.gate.publish === false && truthClass(r.gate, margin) === 'better' ? streak + 1 : 0;
      longest = Math.max(longest, streak);
    }
  }
  return {
    family,
    seeds: runs.map((r) => r.seed),
    rounds: rounds.map((round) => {
      const rows = at(round);
      const gate: Record<string, number> = {};
      for (const r of rows) gate[decision(r.gate)] = (gate[decision(r.gate)] ?? 0) + 1;
      return {
        round,
        vs_oracle: Object.fromEntries(POLICIES.map((k) => [k, spread(rows.map((r) => r.vs_oracle[k]))!])) as Record<PolicyKey, Spread>,
        cold_vs_oracle: Object.fromEntries(POLICIES.map((k) => [k, spread(rows.map((r) => r.cold_vs_oracle?.[k]))])) as Record<PolicyKey, Spread | null>,
        explored_share: spread(rows.map((r) => r.explored_share))!,
        serving_parts: { ranking: spread(rows.map((r) => r.serving_parts?.ranking)), strangers_list: spread(rows.map((r) => r.serving_parts?.strangers_list)) },
        good_within_2: spread(rows.map((r) => r.good_within_2)),
        gate,
      };
    }),
    confusion: { margin, candidates: tally(all.map((r) => r.gate)), planted: tally(all.flatMap((r) => (r.planted ? [r.planted] : []))), longest_better_rejected_streak: longest, ...(Object.keys(canaries).length ? { canaries } : {}) },
    decisions: runs.flatMap((run) => run.rounds.filter((r) => r.gate.ran).map((r) => ({ seed: run.seed, round: r.round, gate: r.gate, planted: r.planted }))),
  };
}
