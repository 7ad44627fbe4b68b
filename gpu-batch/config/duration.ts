import { UsageError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a human duration such as `15m`, `90s`, `2h`, `1h30m` or a bare number of milliseconds.
 * @param text the duration
 * @returns milliseconds
 * @throws UsageError when the text is not a duration
 * @example parseDuration('15m') // 900000
 */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^[0-9]+$/.test(t)) return Number(t);
  const re = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    end = re.lastIndex;
  }
  if (t.length === 0 || end !== t.length) throw new UsageError(`not a duration: ${JSON.stringify(text)} (use e.g. 90s, 15m, 2h, 1h30m)`);
  return Math.round(total);
}
