import { describe, expect, it } from 'vitest';
import { clippedIps, directMethod, doublyRobust, gateDecision, ips, slateIps, snips, type BanditData, type Estimate } from '../../shared/ope/index.js';
import { xoshiro128ss } from '../../shared/rng.js';

const ok: BanditData = { rewards: [1, 0, 1], propensities: [0.5, 0.25, 1], targetProbabilities: [1, 0, 0.5] };
const model = { qLogged: [0.5, 0.5, 0.5], qTarget: [0.6, 0.6, 0.6] };

/** [case, input patch, exact message] — every estimator on bandit data must reject these identically. */
const invalidBandit: Array<[string, Partial<BanditData>, string]> = [
  ['short propensities', { propensities: [0.5, 0.5] }, 'rewards, propensities and targetProbabilities must have the same length, got 3, 2 and 3'],
  ['long targets', { targetProbabilities: [1, 0, 0.5, 1] }, 'rewards, propensities and targetProbabilities must have the same length, got 3, 3 and 4'],
  ['one sample', { rewards: [1], propensities: [0.5], targetProbabilities: [1] }, 'need at least 2 samples, got 1'],
  ['empty', { rewards: [], propensities: [], targetProbabilities: [] }, 'need at least 2 samples, got 0'],
  ['NaN reward', { rewards: [1, NaN, 0] }, 'rewards[1] must be finite, got NaN'],
  ['infinite reward', { rewards: [1, 0, Infinity] }, 'rewards[2] must be finite, got Infinity'],
  ['zero propensity', { propensities: [0.5, 0, 1] }, 'propensities[1] must be in (0, 1], got 0'],
  ['negative propensity', { propensities: [-0.1, 0.5, 1] }, 'propensities[0] must be in (0, 1], got -0.1'],
  ['propensity above 1', { propensities: [0.5, 0.5, 1.5] }, 'propensities[2] must be in (0, 1], got 1.5'],
  ['NaN propensity', { propensities: [NaN, 0.5, 1] }, 'propensities[0] must be in (0, 1], got NaN'],
  ['target above 1', { targetProbabilities: [1, 1.2, 0] }, 'targetProbabilities[1] must be in [0, 1], got 1.2'],
  ['negative target', { targetProbabilities: [-0.5, 0, 0] }, 'targetProbabilities[0] must be in [0, 1], got -0.5'],
];

const estimators: Array<[string, (d: BanditData) => Estimate]> = [
  ['ips', (d) => ips(d)],
  ['clipped ips', (d) => clippedIps(d, 10)],
  ['snips', (d) => snips(d)],
  // The model's arrays follow the rewards' length, so the length messages stay about the logged data.
  ['dr', (d) => doublyRobust({ ...d, qLogged: d.rewards.map(() => 0.5), qTarget: d.rewards.map(() => 0.6) })],
];

describe('estimator input validation (exact messages)', () => {
  for (const [name, est] of estimators) {
    it.each(invalidBandit)(`${name}: %s`, (_case, patch, message) => {
      const m = name === 'dr' ? message.replace(/^rewards, propensities and targetProbabilities must have the same length, got (\d+), (\d+) and (\d+)$/, 'rewards, propensities, targetProbabilities, qLogged and qTarget must have the same length, got $1, $2, $3, $1 and $1') : message;
      expect(() => est({ ...ok, ...patch })).toThrow(new RangeError(m));
    });
  }

  it.each<[string, () => unknown, string]>([
    ['dr: short qLogged', () => doublyRobust({ ...ok, ...model, qLogged: [0.5] }), 'rewards, propensities, targetProbabilities, qLogged and qTarget must have the same length, got 3, 3, 3, 1 and 3'],
    ['dr: NaN qTarget', () => doublyRobust({ ...ok, ...model, qTarget: [0, NaN, 0] }), 'qTarget[1] must be finite, got NaN'],
    ['dm: infinite qTarget', () => directMethod({ qTarget: [0, -Infinity] }), 'qTarget[1] must be finite, got -Infinity'],
    ['clip 0', () => clippedIps(ok, 0), 'clip must be > 0, got 0'],
    ['clip NaN', () => clippedIps(ok, NaN), 'clip must be > 0, got NaN'],
    ['snips without support', () => snips({ ...ok, targetProbabilities: [0, 0, 0] }), 'snips: every importance weight is 0 (the target policy has no support in the log)'],
    ['level 1', () => ips(ok, { level: 1 }), 'level must be in (0, 1), got 1'],
    ['bootstrap without rng', () => ips(ok, { method: 'bootstrap' }), 'bootstrap intervals need an rng'],
    ['bootstrap resamples', () => ips(ok, { method: 'bootstrap', rng: xoshiro128ss([1, 2, 3, 4]), resamples: 5 }), 'resamples must be an integer ≥ 10, got 5'],
    ['slate rows', () => slateIps({ rewards: [[1], [0]], propensities: [[0.5]], targetProbabilities: [[1], [1]] }), 'rewards, propensities and targetProbabilities must have the same length, got 2, 1 and 2'],
    ['slate row lengths', () => slateIps({ rewards: [[1, 0], [0]], propensities: [[0.5], [0.5]], targetProbabilities: [[1, 0], [1]] }), 'row 0: rewards, propensities and targetProbabilities must have the same length, got 2, 1 and 2'],
    ['slate propensity', () => slateIps({ rewards: [[1], [0, 1]], propensities: [[0.5], [0.5, 0]], targetProbabilities: [[1], [1, 1]] }), 'propensities[1][1] must be in (0, 1], got 0'],
    ['slate target', () => slateIps({ rewards: [[1], [0]], propensities: [[0.5], [0.5]], targetProbabilities: [[2], [1]] }), 'targetProbabilities[0][0] must be in [0, 1], got 2'],
    ['slate reward', () => slateIps({ rewards: [[NaN], [0]], propensities: [[0.5], [0.5]], targetProbabilities: [[1], [1]] }), 'rewards[0][0] must be finite, got NaN'],
    ['slate position weight', () => slateIps({ rewards: [[1], [0]], propensities: [[0.5], [0.5]], targetProbabilities: [[1], [1]] }, { positionWeights: [-1] }), 'positionWeights[0] must be ≥ 0, got -1'],
    ['gate tolerance', () => gateDecision(ips(ok), -0.1), 'tolerance must be finite and ≥ 0, got -0.1'],
  ])('%s', (_case, run, message) => {
    expect(run).toThrow(new RangeError(message));
  });
});

describe('estimator arithmetic on a hand-checked example', () => {
  it('IPS, SNIPS, clipped IPS, DR, DM', () => {
    // w = [2, 0, 0.5]; w·r = [2, 0, 0.5]
    expect(ips(ok).estimate).toBeCloseTo(2.5 / 3, 12);
    expect(snips(ok).estimate).toBeCloseTo(2.5 / 2.5, 12);
    expect(clippedIps(ok, 1).estimate).toBeCloseTo(1.5 / 3, 12);
    expect(doublyRobust({ ...ok, ...model }).estimate).toBeCloseTo((0.6 + 2 * 0.5 + 0.6 + 0 + 0.6 + 0.5 * 0.5) / 3, 12);
    expect(directMethod(model).estimate).toBeCloseTo(0.6, 12);
    const e = ips(ok);
    expect(e).toMatchObject({ estimator: 'ips', ciMethod: 'normal', level: 0.95, n: 3 });
    expect(e.ess).toBeCloseTo((2.5 * 2.5) / (4 + 0.25), 12);
    // normal CI: mean ± 1.959964 · sd/√n
    const a = [2, 0, 0.5];
    const m = 2.5 / 3;
    const sd = Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / 2);
    expect(e.ci[0]).toBeCloseTo(m - 1.959963985 * (sd / Math.sqrt(3)), 8);
    expect(e.ci[1]).toBeCloseTo(m + 1.959963985 * (sd / Math.sqrt(3)), 8);
  });

  it('bootstrap intervals replay from the same seed', () => {
    const run = () => ips(ok, { method: 'bootstrap', rng: xoshiro128ss([7, 7, 7, 7]), resamples: 200 });
    expect(run()).toEqual(run());
    expect(run().ciMethod).toBe('bootstrap');
  });
});
