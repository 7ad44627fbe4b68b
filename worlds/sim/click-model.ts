import type { Rng } from '../../shared/rng.js';

/**
 * How a simulated user reads a slate. Both models read top-down with an examination probability
 * e(p) that falls with the position p (so order matters):
 * - `pbm` (position-based model): position p is examined with probability e(p), independently;
 *   an examined item is clicked with its attraction a. E[clicks] = Σ_p e(p)·a_p.
 * - `cascade` (a dependent-click cascade): the user reaches position 0 with probability e(0),
 *   clicks an examined item with probability a, stops after a click with probability `stop`,
 *   and otherwise goes on to p + 1 with probability e(p+1)/e(p). With r_0 = e(0) and
 *   r_{p+1} = r_p·(1 − stop·a_p)·e(p+1)/e(p): E[clicks] = Σ_p r_p·a_p. With stop = 0 it is the PBM.
 */
export interface ClickModel {
  kind: 'pbm' | 'cascade';
  /** e(p) for p = 0 … k−1, non-increasing, in (0, 1]. */
  examine: readonly number[];
  /** Chance of stopping after a click (cascade only; 0 for the PBM). */
  stop: number;
}

/** How e(p) falls with the position. */
export type ExamineCurve = { kind: 'log2' } | { kind: 'geometric'; decay: number; top: number };

/**
 * e(p) for the first k positions: `log2` is 1/log2(p + 2) (the demo's, DCG's discount);
 * `geometric` is top·decay^p (reading falls off fast: the chance of reading halves every
 * ln 2 / −ln decay positions).
 */
export function examineCurve(c: ExamineCurve, k: number): number[] {
  return Array.from({ length: k }, (_, p) => (c.kind === 'log2' ? 1 / Math.log2(p + 2) : c.top * c.decay ** p));
}

/**
 * Builds a click model, checking its parameters.
 * @throws RangeError on an examination curve that is not in (0, 1] and non-increasing, or a stop outside [0, 1]
 */
export function clickModel(kind: ClickModel['kind'], curve: ExamineCurve, k: number, stop = 0.5): ClickModel {
  const examine = examineCurve(curve, k);
  examine.forEach((e, p) => {
    if (!(e > 0 && e <= 1)) throw new RangeError(`examine(${p}) = ${e} is not in (0, 1]`);
    if (p > 0 && e > examine[p - 1]!) throw new RangeError(`examine must not increase with the position (e(${p}) > e(${p - 1}))`);
  });
  if (!(stop >= 0 && stop <= 1)) throw new RangeError(`stop must be in [0, 1], got ${stop}`);
  return { kind, examine, stop: kind === 'pbm' ? 0 : stop };
}

/** e(p+1)/e(p): the chance of reading on from p to p + 1 (before any click's stop). */
export function readOn(m: ClickModel, p: number): number {
  const next = m.examine[p + 1];
  return next === undefined ? 0 : next / m.examine[p]!;
}

/**
 * Expected clicks of each position of a slate whose items have attractions `a` in slate order:
 * r_p · a_p, with r_p the chance of reading position p given the items above (see `ClickModel`).
 * @param a attraction (click probability if examined) of each shown item, position 0 first
 */
export function positionValues(m: ClickModel, a: ArrayLike<number>): number[] {
  const out = new Array<number>(a.length).fill(0);
  let reach = m.examine[0] ?? 0;
  for (let p = 0; p < a.length && p < m.examine.length; p++) {
    out[p] = reach * a[p]!;
    reach *= (1 - m.stop * a[p]!) * readOn(m, p);
  }
  return out;
}

/** Expected clicks of a slate: the sum of `positionValues`. */
export function expectedClicks(m: ClickModel, a: ArrayLike<number>): number {
  return positionValues(m, a).reduce((s, x) => s + x, 0);
}

/**
 * Samples the clicks of one reading of a slate, following the model's story step by step (the
 * statistical test checks that their mean is `expectedClicks`).
 * @returns clicked or not, per position
 */
export function sampleClicks(m: ClickModel, a: ArrayLike<number>, rng: Rng): boolean[] {
  const n = Math.min(a.length, m.examine.length);
  const out = new Array<boolean>(a.length).fill(false);
  if (m.kind === 'pbm') {
    for (let p = 0; p < n; p++) out[p] = rng.next() < m.examine[p]! * a[p]!;
    return out;
  }
  if (!(rng.next() < m.examine[0]!)) return out;
  for (let p = 0; p < n; p++) {
    if (rng.next() < a[p]!) {
      out[p] = true;
      if (rng.next() < m.stop) break;
    }
    if (!(rng.next() < readOn(m, p))) break;
  }
  return out;
}
