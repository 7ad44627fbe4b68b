import { describe, expect, it } from 'vitest';
import { GATE_DEFAULTS } from '../../gpu-batch/ope/gate-defaults.js';
import { gateModels, gateTaste } from '../../gpu-batch/ope/ope-gate.js';
import type { LoggedImpression } from '../../gpu-batch/ope/lake-slates.js';
import { differenceFromTerms } from '../../shared/ope/interval.js';
import { crossFitModels, tableValue, predictReward, type LiftPrior, type ModelSlate, type PairTaste } from '../../shared/ope/item-position-model.js';
import { slateDrTerms } from '../../shared/ope/slate-dr.js';
import { hash32, xoshiro128ss } from '../../shared/rng.js';

/**
 * The deploy gate evaluates a candidate on the logs it was trained on. A candidate that ranks the
 * items the log happened to see clicked in explored slots is weighted there by π_e/π_0 in the
 * hundreds, and its residuals there are lucky by construction: the correction must not amplify
 * that luck. World: every item equally good (CTR 0.1 · reading at position l), so the true
 * difference between any two versions is 0. Log: each of 5 slots shows its ranked item, or with
 * probability ε = 0.2 a uniform draw from that slot's own pool of 50 (exact marginals). Candidate:
 * at each slot, the pool item with the most clicks there in this very log.
 */
function selectedOnTheLog(seed: number): (clip: number, prior: LiftPrior) => { delta: number; serving: number } {
  const rng = xoshiro128ss([seed, 41, 43, 47]);
  const reading = [1, 0.8, 0.64, 0.51, 0.41];
  const eps = 0.2;
  const pool = 50;
  const n = 20_000;
  const slates: ModelSlate[] = [];
  const p0: number[][] = [];
  const clicks = reading.map(() => new Array<number>(pool).fill(0));
  for (let s = 0; s < n; s++) {
    const slate = reading.map((e, l) => {
      const explored = rng.next() < eps;
      const j = Math.floor(rng.next() * pool);
      const reward = rng.next() < 0.1 * e ? 1 : 0;
      if (explored) clicks[l]![j]! += reward;
      return { item_id: explored ? `p${l}-${j}` : `r${l}`, position: l, reward, explored };
    });
    slates.push(slate);
    p0.push(slate.map((it) => (it.explored ? eps / pool : 1 - eps)));
  }
  const luckiest = clicks.map((c) => c.indexOf(Math.max(...c)));
  const candidate = reading.map((_, l) => new Map([[`p${l}-${luckiest[l]}`, 1]]));
  const serving = reading.map((_, l) => new Map([[`r${l}`, 1 - eps], ...Array.from({ length: pool }, (_, j) => [`p${l}-${j}`, eps / pool] as [string, number])]));
  const rewards = slates.map((sl) => sl.map((it) => it.reward));
  // Δ̂ = V̂(candidate) − V̂(serving) and V̂(serving), by the gate's estimator at this clip and prior.
  return (clip, prior) => {
    const models = crossFitModels(slates.map((items, i) => ({ id: `s${i}`, items })), prior);
    const qLogged = slates.map((sl, i) => sl.map((it) => predictReward(models[i]!, it.item_id, it.position)));
    const terms = (table: Array<Map<string, number>>) =>
      slateDrTerms(
        { rewards, propensities: p0, qLogged, qTarget: models.map((m) => tableValue(m, table)), targetProbabilities: slates.map((sl) => sl.map((it) => table[it.position]!.get(it.item_id) ?? 0)) },
        { clip },
      ).a;
    const c = terms(candidate);
    const v = terms(serving);
    let d = 0;
    let sv = 0;
    for (let i = 0; i < n; i++) {
      d += c[i]! - v[i]!;
      sv += v[i]!;
    }
    return { delta: d / n, serving: sv / n };
  };
}

describe('deploy gate: a candidate selected on the logs it is judged on', () => {
  it('the default clip keeps the correction from amplifying the winner’s curse much; a clip of 20 does not (seeded; truly Δ = 0)', () => {
    for (const seed of [1, 2, 3]) {
      const judge = selectedOnTheLog(seed);
      const model = judge(1e-9, 'gamma');
      // What the weighted residuals add to Δ̂, as a share of the serving value: measured +1.3–1.5%
      // at λ = 5 (the default), +0.3–0.5% at λ = 1, +5.1–5.3% at λ = 20 (the lucky slots have w = 250).
      const correction = (clip: number) => {
        const r = judge(clip, 'gamma');
        return (r.delta - model.delta) / r.serving;
      };
      expect(Math.abs(correction(GATE_DEFAULTS.clip))).toBeLessThan(0.025);
      expect(correction(20)).toBeGreaterThan(0.035);
    }
  });

  it('the reward model’s own part: one Gamma prior keeps most of the luck, the fitted mixture prior little (seeded; truly Δ = 0)', () => {
    for (const seed of [1, 2, 3]) {
      const judge = selectedOnTheLog(seed);
      // Model part alone (λ → 0), as a share of the serving value. Cross-fitting leaves each half
      // of the log half the luck; one Gamma, its strength capped, keeps it: measured +34–41%. The
      // mixture learns that every item is alike and shrinks the luckiest to the rest: +7–12%.
      const part = (prior: LiftPrior) => {
        const r = judge(1e-9, prior);
        return r.delta / r.serving;
      };
      expect(part('gamma')).toBeGreaterThan(0.25);
      expect(part('mixture')).toBeLessThan(0.16);
    }
  });
});

/**
 * A candidate's taste fitted on the very log the gate reads, with nobody's taste to average it
 * with. World: 500 users, every item equally good for everyone (CTR 0.1 · reading at position l),
 * so the true difference between any two slates is 0. Log: each of 5 slots shows a uniform draw
 * from that slot's own pool of 50 items. Candidate: for each user, at each slot, an item that user
 * clicked there in this log, with an in-sample taste t = 2 on exactly those pairs (0 elsewhere) —
 * what a taste fitted to the luck of a thin log looks like at its extreme.
 */
describe('deploy gate: a taste fitted on the logs it is judged on', () => {
  it('priced alone it reads the luck as taste; the gate takes no taste while the serving version has none (seeded; truly Δ = 0)', async () => {
    for (const seed of [1, 2]) {
      const rng = xoshiro128ss([seed, 53, 59, 61]);
      const reading = [1, 0.8, 0.64, 0.51, 0.41];
      const pool = 50;
      const users = Array.from({ length: 500 }, (_, u) => `u${u}`);
      const slates: Array<{ id: string; user: string; items: ModelSlate }> = [];
      const clicked = new Set<string>();
      for (let s = 0; s < 20_000; s++) {
        const user = users[Math.floor(rng.next() * users.length)]!;
        const items = reading.map((e, l) => {
          const item = `p${l}-${Math.floor(rng.next() * pool)}`;
          const reward = rng.next() < 0.1 * e ? 1 : 0;
          if (reward) clicked.add(`${user}\n${item}`);
          return { item_id: item, position: l, reward, explored: true };
        });
        slates.push({ id: `s${s}`, user, items });
      }
      // Each user's picks, slot by slot (undefined where the user clicked nothing there).
      const picks = new Map(users.map((u) => [u, reading.map((_, l) => Array.from({ length: pool }, (_, j) => `p${l}-${j}`).find((i) => clicked.has(`${u}\n${i}`)))]));
      const candidateTaste: PairTaste = (user, item) => (clicked.has(`${user}\n${item}`) ? 2 : 0);
      // Model value of the candidate's picks and of the logged slates, over the contexts where the
      // candidate has a pick at every slot, as a ratio (1 = the truth).
      const ratio = (taste: PairTaste | null) => {
        const models = crossFitModels(slates, undefined, taste ?? undefined);
        let cand = 0;
        let logged = 0;
        slates.forEach((s, i) => {
          const own = picks.get(s.user)!;
          if (own.some((p) => p === undefined)) return;
          own.forEach((p, l) => (cand += predictReward(models[i]!, p!, l, s.user)));
          s.items.forEach((it) => (logged += predictReward(models[i]!, it.item_id, it.position, s.user)));
        });
        return cand / logged;
      };
      const withTaste = (t: PairTaste | null) => ({ taste: async () => t });
      // Measured: the candidate's taste alone 3.43–3.47 × the truth; with no taste 1.11 (the
      // pairs' own clicks, shrunk: the item-level curse of the test above).
      const alone = ratio(await gateTaste(withTaste(candidateTaste), withTaste(null), 'candidate'));
      expect(alone).toBeGreaterThan(2);
      const gate = await gateTaste(withTaste(candidateTaste), withTaste(null), 'both');
      expect(gate).toBeNull();
      expect(Math.abs(ratio(gate) - 1)).toBeLessThan(0.2);
      // With a serving taste, the mean of the two (a version's taste is its λ · U · V).
      const serving: PairTaste = () => 1;
      expect((await gateTaste(withTaste(candidateTaste), withTaste(serving), 'both'))!('u1', 'x')).toBe((0 + 1) / 2);
    }
  });
});

/**
 * A candidate whose users' lists memorise the log: each user's list holds the (item, position)
 * pairs that user clicked, the serving list elsewhere — what a personal list built from past
 * clicks is at its extreme. World: every item equally good for everyone (CTR 0.1 · reading at
 * position l), so the true difference is 0. Log: 10,000 impressions of 1,000 users, each of 5
 * slots shows its ranked item or, with probability ε = 0.2, a uniform draw from a pool of 30.
 * Judged on the log it memorised, the candidate's kept pairs match the logged slots at w ≈ 1 —
 * below any clip — with the clicks it memorised; judged on the evaluation slice it never saw
 * (gpu-batch/dataset/eval-slice.ts; the reward model fitted on every impression, `gateModels`),
 * nothing of that is left.
 */
describe('deploy gate: personal lists that memorise the logs, and the evaluation slice', () => {
  const reading = [1, 0.8, 0.64, 0.51, 0.41];
  const eps = 0.2;
  const pool = 30;
  const serving = reading.map((_, p) => `r${p}`);
  function world(seed: number): LoggedImpression[] {
    const rng = xoshiro128ss([seed, 67, 71, 73]);
    return Array.from({ length: 10_000 }, (_, s) => {
      const user = `u${Math.floor(rng.next() * 1000)}`;
      const id = `imp${s}`;
      const items = reading.map((e, l) => {
        const explored = rng.next() < eps;
        const item = explored ? `p${Math.floor(rng.next() * pool)}` : `r${l}`;
        return { item_id: item, position: l, propensity: explored ? eps / pool : 1 - eps, reward: rng.next() < 0.1 * e ? 1 : 0, explored };
      });
      return { slate: { impression_id: id, ts: s, policy_version: 'v0', items }, user_key: user, surface: 'home', k: 5, exclude: [], recent: [], in_slice: hash32(`slice:${id}`) % 100 < 20 };
    });
  }
  const memorise = (train: readonly LoggedImpression[]) => {
    const lists = new Map<string, string[]>();
    for (const l of train) {
      for (const it of l.slate.items) {
        if (it.reward === 0) continue;
        const list = lists.get(l.user_key) ?? [...serving];
        list[it.position] = it.item_id;
        lists.set(l.user_key, list);
      }
    }
    return lists;
  };
  /** Δ̂ ÷ V̂(serving) and its interval, by the gate's estimator (clip as the gate's). */
  function judge(logs: readonly LoggedImpression[], modelLogs: readonly LoggedImpression[], lists: Map<string, string[]>) {
    const models = gateModels(modelLogs, logs);
    const terms = (list: ((u: string) => string[]) | null) =>
      slateDrTerms(
        {
          rewards: logs.map((l) => l.slate.items.map((it) => it.reward)),
          propensities: logs.map((l) => l.slate.items.map((it) => it.propensity)),
          qLogged: logs.map((l, i) => l.slate.items.map((it) => predictReward(models[i]!, it.item_id, it.position))),
          // null: the serving (logging) policy itself, ranked item with 1 − ε, each pool item with ε / pool.
          targetProbabilities: logs.map((l) => l.slate.items.map((it) => (list ? (list(l.user_key)[it.position] === it.item_id ? 1 : 0) : it.item_id.startsWith('r') ? 1 - eps : eps / pool))),
          qTarget: logs.map((l, i) =>
            reading.reduce((a, _, p) => {
              if (list) return a + predictReward(models[i]!, list(l.user_key)[p]!, p);
              let poolValue = 0;
              for (let j = 0; j < pool; j++) poolValue += predictReward(models[i]!, `p${j}`, p);
              return a + (1 - eps) * predictReward(models[i]!, serving[p]!, p) + (eps / pool) * poolValue;
            }, 0),
          ),
        },
        { clip: GATE_DEFAULTS.clip },
      );
    const s = terms(null);
    const d = differenceFromTerms(terms((u) => lists.get(u) ?? serving), s, { level: 0.95 });
    const v = Array.from(s.a).reduce((a, b) => a + b, 0) / s.a.length;
    return { rel: d.estimate / v, ci: d.ci.map((x) => x / v) };
  }

  it('on its own logs it reads far better than it is; on the slice it never saw, level (seeded; truly Δ = 0)', () => {
    let covered = 0;
    for (const seed of [1, 2, 3]) {
      const logs = world(seed);
      const slice = logs.filter((l) => l.in_slice);
      // Measured: in-sample +67–73% of the serving value; on the slice −4.7% to +1.8% (seeds 1–4),
      // its 95% interval covering 0 in 3 of 4.
      expect(judge(logs, logs, memorise(logs)).rel).toBeGreaterThan(0.4);
      const honest = judge(slice, logs, memorise(logs.filter((l) => !l.in_slice)));
      expect(Math.abs(honest.rel)).toBeLessThan(0.08);
      if (honest.ci[0]! <= 0 && honest.ci[1]! >= 0) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(2);
  });
});
