/**
 * Seeded pseudo-random numbers. Maths in `shared/` takes an `Rng` argument and never calls
 * the unseeded platform generator, so every slate can be replayed from its impression id.
 */

/** A source of uniform floats in [0, 1). */
export interface Rng {
  /** @returns a uniform float in [0, 1) */
  next(): number;
}

/**
 * 32-bit FNV-1a over the UTF-16 code units of a string, finished with a murmur3 avalanche so
 * that near-identical inputs (UUIDs differing in one digit) give unrelated outputs.
 * @param s input text
 * @param seed optional starting basis, to derive several independent words from one string
 * @returns an unsigned 32-bit hash
 */
export function hash32(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * xoshiro128** (Blackman & Vigna, 2018): 128-bit state, period 2^128 − 1, passes BigCrush.
 * Chosen over the platform generator because it is seedable and identical on every runtime.
 * @param seed four 32-bit words, not all zero
 * @returns an `Rng`
 * @example const rng = xoshiro128ss(seedFromString(impressionId)); rng.next();
 */
export function xoshiro128ss(seed: readonly [number, number, number, number]): Rng {
  let [a, b, c, d] = seed.map((x) => x >>> 0) as [number, number, number, number];
  if ((a | b | c | d) === 0) throw new RangeError('xoshiro128** seed must not be all zero');
  return {
    next(): number {
      const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = rotl(d, 11);
      return r / 4294967296;
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Four independent 32-bit words from a string (e.g. an impression id).
 * @param s the seed text
 * @returns a seed for `xoshiro128ss`
 */
export function seedFromString(s: string): [number, number, number, number] {
  const w: [number, number, number, number] = [
    hash32(s, 0x811c9dc5),
    hash32(s, 0x9e3779b9),
    hash32(s, 0x7f4a7c15),
    hash32(s, 0x2545f491),
  ];
  if ((w[0] | w[1] | w[2] | w[3]) === 0) w[0] = 1;
  return w;
}

/**
 * The RNG every slate uses: seeded from the impression id alone.
 * @param impressionId the impression's id
 * @returns a fresh `Rng` positioned at the start of that impression's stream
 */
export function rngForImpression(impressionId: string): Rng {
  return xoshiro128ss(seedFromString(`slate:${impressionId}`));
}

/**
 * A uniform integer in [0, n).
 * @param rng source of randomness
 * @param n exclusive upper bound, a positive integer
 */
export function randInt(rng: Rng, n: number): number {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`randInt: n must be a positive integer, got ${n}`);
  return Math.floor(rng.next() * n);
}
