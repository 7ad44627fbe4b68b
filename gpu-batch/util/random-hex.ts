import { randomBytes } from 'node:crypto';

/** @returns `n` lowercase hex digits from the OS CSPRNG (version suffixes, run ids). */
export function randomHex(n: number): string {
  return randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);
}
