/** How failed attempts are retried. */
export interface RetryPolicy {
  /** Retries after the first attempt (0 = none). */
  retries: number;
  /** Delay before the first retry, ms; doubles each time. */
  baseDelayMs: number;
  /** Ceiling of one delay, ms. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 2, baseDelayMs: 100, maxDelayMs: 2000 };

/**
 * Delay before retry number `retry` (0-based): "full jitter" exponential backoff,
 * d = u · min(maxDelayMs, baseDelayMs · 2^retry) with u uniform in [0, 1), so clients that failed
 * together do not come back together.
 * @param random a uniform draw in [0, 1)
 */
export function backoffDelay(p: RetryPolicy, retry: number, random: number): number {
  return random * Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** retry);
}
