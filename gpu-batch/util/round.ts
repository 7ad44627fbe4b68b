/** Six decimals: what manifests record (enough to compare, short to read). */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
