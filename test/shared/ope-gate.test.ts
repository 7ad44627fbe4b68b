import { describe, expect, it } from 'vitest';
import { epsilonGreedy, type SlateInput } from '../../shared/explore/index.js';
import { chooseEpsilon, gateDecision, ips, ipsTerms, difference, slateDifference, snipsTerms, type ExplorationLog } from '../../shared/ope/index.js';
import { rngForImpression, xoshiro128ss } from '../../shared/rng.js';

const ranked = Array.from({ length: 8 }, (_, i) => ({ item: `r${i}`, score: 8 - i }));
const input: SlateInput = { ranked, pool: ['p0', 'p1', 'p2', 'p3'], k: 3 };
const positionBias = [1, 0.7, 0.5];

/** 3000 impressions logged with epsilon = 0.3, per-position Bernoulli rewards from `ctr`. */
function logWith(ctr: Record<string, number>, seed: number): ExplorationLog[] {
  const rng = xoshiro128ss([seed, 3, 3, 3]);
  return Array.from({ length: 3000 }, (_, i) => {
    const s = epsilonGreedy.sample(input, { epsilon: 0.3 }, rngForImpression(`${seed}:${i}`));
    return {
      input,
      slate: {
        impression_id: `${seed}:${i}`,
        ts: null,
        policy_version: null,
        items: s.items.map((it) => ({ item_id: it.item_id, position: it.position, propensity: it.propensity, reward: rng.next() < ctr[it.item_id]! * positionBias[it.position]! ? 1 : 0 })),
      },
    };
  });
}

const goodRanking: Record<string, number> = { r0: 0.5, r1: 0.45, r2: 0.4, r3: 0.3, r4: 0.2, r5: 0.1, r6: 0.1, r7: 0.1, p0: 0.05, p1: 0.05, p2: 0.02, p3: 0.02 };
const goodPool: Record<string, number> = { ...goodRanking, p0: 0.7, p1: 0.6, p2: 0.65, p3: 0.7 };

function rows(logs: ExplorationLog[], epsilon: number) {
  const t = epsilonGreedy.marginals(input, { epsilon });
  return logs.map((l) => l.slate.items.map((it) => t[it.position]!.get(it.item_id) ?? 0));
}

describe('deploy gate on (candidate − serving)', () => {
  const logs = logWith(goodRanking, 1);
  const log = { rewards: logs.map((l) => l.slate.items.map((it) => it.reward)), propensities: logs.map((l) => l.slate.items.map((it) => it.propensity)) };
  const serving = rows(logs, 0.3);

  it('a deliberately worse candidate (explores everything) is not published', () => {
    const d = slateDifference(log, rows(logs, 1), serving);
    expect(d.estimate).toBeLessThan(-0.1);
    const g = gateDecision(d, 0.02);
    expect(g.publish).toBe(false);
    expect(g.forced).toBe(false);
    expect(g.outcome).toBe('reject');
    expect(g.reason).toMatch(/^upper 95% bound of candidate − serving = -0\.\d+ < −0\.0200: worse beyond the margin$/);
  });

  it('a better candidate (explores less where exploring costs) is published', () => {
    const g = gateDecision(slateDifference(log, rows(logs, 0.1), serving), 0.02);
    expect(g.publish).toBe(true);
    expect(g.difference.ci[0]).toBeGreaterThan(0);
  });

  it('the serving policy against itself: Δ̂ = 0, interval [0, 0]: inconclusive at margin 0 (the point estimate publishes), a pass at any positive margin', () => {
    const g = gateDecision(slateDifference(log, serving, serving), 0);
    expect(g.difference.estimate).toBe(0);
    expect(g.difference.ci).toEqual([0, 0]);
    expect(g).toMatchObject({ outcome: 'inconclusive', publish: true });
    expect(gateDecision(g.difference, 0.001)).toMatchObject({ outcome: 'pass', publish: true });
  });

  const est = (estimate: number, lo: number, hi: number) => ({ estimator: 'test', estimate, ci: [lo, hi] as [number, number], ciMethod: 'normal' as const, level: 0.95, n: 1000, ess: 500 });

  it('holds the interval to a margin relative to the serving value, rejecting only what is shown to be worse', () => {
    const rule = { relativeMargin: 0.05, servingValue: 2 };
    // margin = 0.1: a wide interval that straddles it is inconclusive and the point estimate decides.
    expect(gateDecision(est(0.2, -0.5, 0.9), 0, undefined, rule)).toMatchObject({ outcome: 'inconclusive', publish: true, margin: 0.1 });
    expect(gateDecision(est(-0.2, -0.5, 0.05), 0, undefined, rule)).toMatchObject({ outcome: 'inconclusive', publish: false });
    expect(gateDecision(est(-0.3, -0.5, -0.11), 0, undefined, rule)).toMatchObject({ outcome: 'reject', publish: false });
    expect(gateDecision(est(-0.05, -0.09, 0), 0, undefined, rule)).toMatchObject({ outcome: 'pass', publish: true });
  });

  it('without support the interval still decides, and the reason says the reward model carries it', () => {
    const rule = { ess: 5, minEss: 30 };
    const worse = gateDecision(est(-1, -2, -1.5), 0, undefined, rule);
    expect(worse).toMatchObject({ outcome: 'reject', publish: false });
    expect(worse.reason).toMatch(/ESS 5\.0 < 30: the reward model carries the estimate/);
    expect(gateDecision(est(1, 0.5, 2), 0, undefined, rule)).toMatchObject({ outcome: 'pass', publish: true });
  });

  it('an operator override publishes and is recorded', () => {
    const g = gateDecision(slateDifference(log, rows(logs, 1), serving), 0.02, { operator: 'alice', reason: 'incident rollback' });
    expect(g).toMatchObject({ publish: true, forced: true, override: { operator: 'alice', reason: 'incident rollback' } });
    expect(g.reason).toContain('forced by alice: incident rollback');
  });

  it('pairing narrows the interval: the paired CI is tighter than the two separate ones', () => {
    const bandit = { rewards: [1, 0, 1, 1, 0, 0, 1, 0], propensities: [0.5, 0.5, 0.25, 0.5, 0.25, 0.5, 0.5, 0.25] };
    const c = { ...bandit, targetProbabilities: [0.6, 0.5, 0.3, 0.6, 0.2, 0.5, 0.6, 0.3] };
    const s = { ...bandit, targetProbabilities: [0.5, 0.5, 0.25, 0.5, 0.25, 0.5, 0.5, 0.25] };
    const d = difference(ipsTerms(c), ipsTerms(s));
    const w = (e: { ci: [number, number] }) => e.ci[1] - e.ci[0];
    expect(w(d)).toBeLessThan(0.25 * (w(ips(c)) + w(ips(s))));
    expect(d.estimate).toBeCloseTo(ips(c).estimate - ips(s).estimate, 12);
    expect(difference(snipsTerms(c), snipsTerms(s)).estimator).toBe('snips difference');
    expect(() => difference(ipsTerms(c), ipsTerms({ ...s, rewards: [1, 0], propensities: [0.5, 0.5], targetProbabilities: [1, 1] }))).toThrow(
      'candidate and serving must be evaluated on the same samples, got 8 and 2',
    );
  });
});

describe('choosing epsilon from off-policy estimates', () => {
  const candidates = [0.05, 0.1, 0.2, 0.3, 0.5];

  it('exploring costs reward: picks the smallest epsilon the floor allows', () => {
    const choice = chooseEpsilon(logWith(goodRanking, 2), { candidates, current: 0.3, tolerance: 0.01, floor: 0.1 });
    expect(choice.epsilon).toBe(0.1);
    expect(choice.changed).toBe(true);
    expect(choice.candidates.find((c) => c.epsilon === 0.05)!.eligible).toBe(false); // below the floor
    expect(choice.reason).toMatch(/^ε 0\.3 → 0\.1: /);
  });

  it('the pool beats the ranking: picks the largest epsilon', () => {
    const choice = chooseEpsilon(logWith(goodPool, 3), { candidates, current: 0.3, tolerance: 0.01 });
    expect(choice.epsilon).toBe(0.5);
    expect(choice.candidates.find((c) => c.epsilon === 0.05)!.eligible).toBe(false); // clearly worse than now
  });

  it('keeps the current epsilon when nothing is estimated better', () => {
    const choice = chooseEpsilon(logWith(goodRanking, 4), { candidates: [0.5, 1], current: 0.3, tolerance: 0.01 });
    expect(choice).toMatchObject({ epsilon: 0.3, changed: false });
    expect(choice.candidates.map((c) => c.eligible)).toEqual([true, false, false]);
  });

  it('rejects a current epsilon of 0 (no support) and out-of-range candidates', () => {
    expect(() => chooseEpsilon([], { candidates: [0.1], current: 0, tolerance: 0 })).toThrow('current must be > 0: an epsilon of 0 logs no support for other epsilons');
    expect(() => chooseEpsilon([], { candidates: [1.5], current: 0.2, tolerance: 0 })).toThrow('candidates[0] must be in [0, 1], got 1.5');
  });
});
