import type { TokenPayload } from '../shared/crypto/token.js';
import type { AppContext } from './env.js';
import { HttpError } from './errors.js';

/**
 * Event rate limits, keyed by what the caller cannot borrow: the impression (its token), the
 * client address when the platform gives one (not loopback: that is a local run, where every
 * simulated user shares one address), and the user only when a signed user assertion vouched for
 * the id at slate time. Tokens are minted for any `user_id`, so keying by the user alone let
 * anyone spend a victim's budget.
 * @throws HttpError 429 (with Retry-After) when any limit is spent
 */
export async function limitEvents(c: AppContext, t: TokenPayload): Promise<void> {
  const address = c.req.header('cf-connecting-ip');
  const checks: Array<[RateLimit | undefined, string, string]> = [[c.env.EVENTS_RATE_LIMIT, `imp:${t.iid}`, 'impression']];
  if (address && !LOOPBACK.test(address)) checks.push([c.env.EVENTS_ADDRESS_RATE_LIMIT, `addr:${address}`, 'address']);
  if (t.va === 1) checks.push([c.env.EVENTS_RATE_LIMIT, `user:${t.uk}`, 'user']);
  for (const [limiter, key, what] of checks) {
    if (limiter && !(await limiter.limit({ key })).success) {
      c.header('retry-after', '60');
      throw new HttpError(429, 'rate_limited', `too many events for this ${what}; retry later`);
    }
  }
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;
