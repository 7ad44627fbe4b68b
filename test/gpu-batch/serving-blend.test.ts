import { describe, expect, it } from 'vitest';
import { fitBlend, personalWeight, servingParams } from '../../gpu-batch/policy/serving-blend.js';
import { selectBackend } from '../../gpu-batch/train/backend.js';
import { topKForUsers } from '../../gpu-batch/train/top-k.js';
import { trainingRng } from '../../gpu-batch/train/init.js';

/** Held-out showings from a known click model: σ(c_p + 1·base + trueB·personal). */
function rows(trueB: number, seed: number, n = 20_000) {
  const rng = trainingRng(seed, 5);
  const gauss = () => Math.sqrt(-2 * Math.log(Math.max(rng.next(), 1e-12))) * Math.cos(2 * Math.PI * rng.next());
  const base = new Float64Array(n);
  const personal = new Float64Array(n);
  const position = new Int32Array(n);
  const y = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    base[r] = -2.5 + 0.8 * gauss();
    personal[r] = gauss();
    position[r] = Math.floor(rng.next() * 10);
    const z = -0.15 * position[r]! + base[r]! + trueB * personal[r]!;
    y[r] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { base, personal, position, y };
}

describe('serving blend (base appeal + λ · personal taste, fitted on the holdout)', () => {
  it('recovers the personal weight of the click model over seeds, and ~0 when taste is noise', () => {
    for (const seed of [1, 2, 3]) {
      const strong = fitBlend(rows(0.8, seed), 10)!;
      // n = 20k showings, ~10% clicks: the slopes' standard errors are ≈ 0.03; 4σ bounds.
      expect(Math.abs(strong.a - 1)).toBeLessThan(0.15);
      expect(Math.abs(personalWeight(strong) - 0.8)).toBeLessThan(0.15);
      expect(strong.logLoss).toBeLessThan(strong.logLossBaseOnly);
      // Taste that is noise fails the likelihood-ratio test: no weight at all.
      const noise = fitBlend(rows(0, seed), 10)!;
      expect(personalWeight(noise)).toBe(0);
      // Position intercepts fall with the position, as the generating model's do.
      expect(strong.positionLogits[0]! - strong.positionLogits[9]!).toBeGreaterThan(0.7);
    }
  });

  it('converges when the personal term has a wide scale (damped Newton), and λ = 0 when it does not help', () => {
    for (const seed of [1, 2, 3]) {
      // The same click model with the personal term reported 300× larger (b = 0.8 / 300): a full
      // Newton step from the start overshoots; the fit must still find the generating weights.
      const r = rows(0.8, seed);
      const wide = { ...r, personal: r.personal.map((x) => x * 300) };
      const fit = fitBlend(wide, 10)!;
      expect(fit.logLoss).toBeLessThan(fit.logLossBaseOnly);
      expect(Math.abs(personalWeight(fit) * 300 - 0.8)).toBeLessThan(0.15);
    }
    // A blend whose personal term made the held-out log-loss worse gets no weight.
    expect(personalWeight({ a: 0.7, b: 2, positionLogits: [], n: 1000, clicks: 50, logLoss: 0.3, logLossBaseOnly: 0.2 })).toBe(0);
  });

  it('gives no weight to a noise personal term when base appeal does not predict either (the first trained round of a large catalog)', () => {
    for (const seed of [1, 2, 3]) {
      // The base column replaced by values unrelated to the clicks, and no taste: a ≈ 0, b ≈ 0.
      const r = rows(0, seed);
      const flat = { ...r, base: Float64Array.from(r.base, (_, i) => Math.sin(i)) };
      const fit = fitBlend(flat, 10)!;
      expect(Math.abs(fit.a)).toBeLessThan(0.1);
      expect(personalWeight(fit)).toBe(0);
    }
    // With real taste it is used as trained (λ = 1) even when base appeal says nothing.
    const taste = rows(0.8, 4);
    const fit = fitBlend({ ...taste, base: Float64Array.from(taste.base, (_, i) => Math.sin(i)) }, 10)!;
    expect(personalWeight(fit)).toBeGreaterThan(0);
  });

  it('is null on a holdout too small to fit, and then the model stands as trained (λ = 1)', () => {
    const r = rows(0.5, 9, 100);
    expect(fitBlend(r, 10)).toBeNull();
    expect(personalWeight(null)).toBe(1);
  });

  it('serving params rank like base + λ · U·V', async () => {
    await selectBackend('cpu');
    const params = { dims: 2, user: Float32Array.from([1, 0, 0, 1]), item: Float32Array.from([2, 0, 0, 2, 0, 0]), bias: new Float32Array(3), globalBias: 0 };
    const base = Float64Array.from([-3, -3, -1]);
    // λ = 0: base appeal alone puts item 2 first for both users.
    expect(Array.from((await topKForUsers(servingParams(params, base, 0), [0, 1], 1)).items)).toEqual([2, 2]);
    // λ = 2: each user's own item wins (−3 + 4 > −1).
    expect(Array.from((await topKForUsers(servingParams(params, base, 2), [0, 1], 1)).items)).toEqual([0, 1]);
  });
});
