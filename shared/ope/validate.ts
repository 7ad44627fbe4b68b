/**
 * Input checks shared by the estimators, run before any arithmetic, with exact messages (the
 * idea of OBP's `check_ope_inputs`). Out-of-range input throws a RangeError; nothing is clamped.
 */

/** @throws RangeError `a, b and c must have the same length, got 3, 2 and 3` */
export function checkSameLength(arrays: Record<string, ArrayLike<unknown>>, where = ''): number {
  const names = Object.keys(arrays);
  const lengths = names.map((k) => arrays[k]!.length);
  if (lengths.some((l) => l !== lengths[0])) {
    throw new RangeError(`${where}${list(names)} must have the same length, got ${list(lengths.map(String))}`);
  }
  return lengths[0] ?? 0;
}

/** @throws RangeError `need at least 2 samples, got 1` (a standard error needs two) */
export function checkEnough(n: number): void {
  if (n < 2) throw new RangeError(`need at least 2 samples, got ${n}`);
}

/** @throws RangeError `rewards[3] must be finite, got NaN` */
export function checkFinite(name: string, xs: ArrayLike<number>): void {
  for (let i = 0; i < xs.length; i++) if (!Number.isFinite(xs[i])) throw new RangeError(`${name}[${i}] must be finite, got ${xs[i]}`);
}

/** @throws RangeError `propensities[3] must be in (0, 1], got 0` */
export function checkPropensities(name: string, xs: ArrayLike<number>): void {
  for (let i = 0; i < xs.length; i++) {
    const p = xs[i]!;
    if (!(p > 0 && p <= 1)) throw new RangeError(`${name}[${i}] must be in (0, 1], got ${p}`);
  }
}

/** @throws RangeError `targetProbabilities[3] must be in [0, 1], got 1.2` */
export function checkProbabilities(name: string, xs: ArrayLike<number>): void {
  for (let i = 0; i < xs.length; i++) {
    const p = xs[i]!;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${name}[${i}] must be in [0, 1], got ${p}`);
  }
}

function list(xs: string[]): string {
  return xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/**
 * Checks logged bandit data (and reward-model predictions when given) in a fixed order: lengths,
 * count, rewards, propensities, target probabilities, predictions.
 * @returns n
 */
export function checkBandit(
  data: { rewards: readonly number[]; propensities: readonly number[]; targetProbabilities: readonly number[] },
  model?: { qLogged: readonly number[]; qTarget: readonly number[] },
): number {
  const arrays: Record<string, ArrayLike<unknown>> = { rewards: data.rewards, propensities: data.propensities, targetProbabilities: data.targetProbabilities };
  if (model) Object.assign(arrays, { qLogged: model.qLogged, qTarget: model.qTarget });
  const n = checkSameLength(arrays);
  checkEnough(n);
  checkFinite('rewards', data.rewards);
  checkPropensities('propensities', data.propensities);
  checkProbabilities('targetProbabilities', data.targetProbabilities);
  if (model) {
    checkFinite('qLogged', model.qLogged);
    checkFinite('qTarget', model.qTarget);
  }
  return n;
}
