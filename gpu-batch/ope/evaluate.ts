import { clippedIps } from '../../shared/ope/clipped-ips.js';
import { doublyRobust } from '../../shared/ope/doubly-robust.js';
import { ips } from '../../shared/ope/ips.js';
import type { LoggedSlate } from '../../shared/ope/logged-slate.js';
import { crossFitModels, predictLogged, tableValue } from '../../shared/ope/item-position-model.js';
import { slateDr } from '../../shared/ope/slate-dr.js';
import { slateIps } from '../../shared/ope/slate-ips.js';
import { snips } from '../../shared/ope/snips.js';
import type { Estimate } from '../../shared/ope/types.js';
import { GATE_DEFAULTS } from './gate-defaults.js';

/** P(item at position) of the target for one logged slate: one map per position. */
export type TargetTables = (slate: LoggedSlate, index: number) => Promise<ReadonlyArray<ReadonlyMap<string, number>>>;

/** One row of `slatecast ope`'s table. */
export interface OpeRow extends Estimate {
  /** `impression`: reward per impression (a whole slate); `slot`: reward per shown position. */
  unit: 'impression' | 'slot';
  note: string;
}

/** Pseudo-count of the DR reward model's shrinkage of each (item, position) mean to the position mean. */
export const DR_PRIOR_COUNT = 10;

/**
 * Every estimator of the `ope` command on one slate log:
 * - slot-level (each shown (impression, position) is one decision with the logged marginal
 *   propensity; reward per slot; intervals treat slots as independent, optimistic when positions of
 *   a slate are correlated): IPS, clipped IPS (λ = `clip`), SNIPS, DR;
 * - impression-level: per-position slate IPS and the deploy gate's slate DR (cross-fitted
 *   item-position model, weights clipped at `GATE_DEFAULTS.clip`; reward per impression, intervals
 *   over impressions), and the logging policy's observed value for reference.
 * DR's reward model q̂(item, position) is the mean logged reward of the item at that position,
 * shrunk to the position's mean with `DR_PRIOR_COUNT` pseudo-observations, fitted on the same log
 * (no cross-fitting: simple by design); q̂_π(x, l) = Σ_a π_e(a at l | x) q̂(a, l).
 */
export async function evaluateTarget(slates: readonly LoggedSlate[], target: TargetTables, o: { clip: number; level?: number }): Promise<OpeRow[]> {
  const level = o.level ?? 0.95;
  const sorted = slates.map((s) => [...s.items].sort((a, b) => a.position - b.position));
  const tables: Array<ReadonlyArray<ReadonlyMap<string, number>>> = [];
  for (let i = 0; i < slates.length; i++) tables.push(await target(slates[i]!, i));

  // Reward model.
  const posSum = new Map<number, [number, number]>();
  const cell = new Map<string, [number, number]>();
  for (const items of sorted) {
    for (const it of items) {
      const p = posSum.get(it.position) ?? [0, 0];
      p[0] += it.reward;
      p[1]++;
      posSum.set(it.position, p);
      const key = `${it.position}\u0000${it.item_id}`;
      const c = cell.get(key) ?? [0, 0];
      c[0] += it.reward;
      c[1]++;
      cell.set(key, c);
    }
  }
  const posMean = (l: number) => {
    const p = posSum.get(l);
    return p ? p[0] / p[1] : 0;
  };
  const q = (item: string, l: number) => {
    const c = cell.get(`${l}\u0000${item}`) ?? [0, 0];
    return (c[0] + DR_PRIOR_COUNT * posMean(l)) / (c[1] + DR_PRIOR_COUNT);
  };

  const rewards: number[] = [];
  const propensities: number[] = [];
  const target_: number[] = [];
  const qLogged: number[] = [];
  const qTarget: number[] = [];
  sorted.forEach((items, i) => {
    for (const it of items) {
      const t = tables[i]![it.position];
      rewards.push(it.reward);
      propensities.push(it.propensity);
      target_.push(t?.get(it.item_id) ?? 0);
      qLogged.push(q(it.item_id, it.position));
      let v = 0;
      if (t) for (const [item, p] of t) v += p * q(item, it.position);
      qTarget.push(v);
    }
  });
  const bandit = { rewards, propensities, targetProbabilities: target_ };
  const slate = {
    rewards: sorted.map((s) => s.map((it) => it.reward)),
    propensities: sorted.map((s) => s.map((it) => it.propensity)),
    targetProbabilities: sorted.map((s, i) => s.map((it) => tables[i]![it.position]?.get(it.item_id) ?? 0)),
  };
  // The gate's estimator: q̂ from the item-position model of the other fold.
  const models = crossFitModels(slates.map((sl, i) => ({ id: sl.impression_id, version: sl.policy_version, items: sorted[i]! })));
  const slateModel = {
    qLogged: sorted.map((items, i) => predictLogged(models[i]!, items)),
    qTarget: tables.map((t, i) => tableValue(models[i]!, t)),
  };
  const row = (e: Estimate, unit: OpeRow['unit'], note: string): OpeRow => ({ ...e, unit, note });
  return [
    row(ips(bandit, { level }), 'slot', 'unbiased; high variance with uneven weights'),
    row(clippedIps(bandit, o.clip, { level }), 'slot', `weights clipped at ${o.clip}: biased down, bounded variance`),
    row(snips(bandit, { level }), 'slot', 'self-normalised: O(1/n) bias, usually lower variance'),
    row(doublyRobust({ ...bandit, qLogged, qTarget }, { level }), 'slot', `reward model: item×position means shrunk to the position mean (${DR_PRIOR_COUNT} pseudo-counts)`),
    row(slateIps(slate, { level }), 'impression', 'per-position (independent) slate IPS'),
    row(slateDr({ ...slate, ...slateModel }, { level, clip: GATE_DEFAULTS.clip }), 'impression', `the deploy gate's estimator: cross-fitted item-position model, weights clipped at ${GATE_DEFAULTS.clip}`),
    row({ ...slateIps({ ...slate, targetProbabilities: slate.propensities }, { level }), estimator: 'logged' }, 'impression', 'the logging policy: observed reward per impression'),
  ];
}

/** The table as text. */
export function formatTable(rows: readonly OpeRow[], title: string): string {
  const head = ['estimator', 'unit', 'estimate', `CI (${Math.round((rows[0]?.level ?? 0.95) * 100)}%)`, 'ESS', 'n'];
  const cells = rows.map((r) => [r.estimator, r.unit, fmt(r.estimate), `[${fmt(r.ci[0])}, ${fmt(r.ci[1])}]`, String(Math.round(r.ess)), String(r.n)]);
  const width = head.map((h, j) => Math.max(h.length, ...cells.map((c) => c[j]!.length)));
  const line = (c: string[]) => c.map((x, j) => (j === 0 || j === 1 ? x.padEnd(width[j]!) : x.padStart(width[j]!))).join('  ');
  return [title, line(head), width.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n') + '\n';
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : String(x);
}
