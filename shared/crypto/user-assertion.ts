import { fromBase64Url, toBase64Url, utf8 } from './encoding.js';
import { hmacSign, hmacVerify } from './hmac.js';

/**
 * A site's server vouches for a user id: `<exp>.<base64url(HMAC-SHA-256(secret, "user1.<exp>.<user_id>"))>`,
 * `exp` in epoch seconds. Without it anyone may ask for a slate (and an event token) in any user's
 * name; with `USER_ASSERTION_SECRET` set, the edge serves only user ids the site has signed, and
 * can then rate-limit events by user. The domain prefix keeps these MACs apart from impression
 * tokens even if a deployment reused a secret.
 *
 * @example
 * // on the site's server (Node), after login:
 * const exp = Math.floor(Date.now() / 1000) + 3600;
 * const mac = createHmac('sha256', secret).update(`user1.${exp}.${userId}`).digest('base64url');
 * fetch(`${edge}/v1/slate?user_id=${encodeURIComponent(userId)}`, { headers: { 'x-user-assertion': `${exp}.${mac}` } });
 */
export async function signUserAssertion(secret: string, userId: string, expSec: number): Promise<string> {
  return `${expSec}.${toBase64Url(await hmacSign(secret, utf8(`user1.${expSec}.${userId}`)))}`;
}

export type UserAssertionCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'forged' | 'expired' };

/**
 * Checks an assertion for `userId` (constant-time MAC comparison, then expiry).
 * @param nowSec current time, epoch seconds
 */
export async function verifyUserAssertion(secret: string, assertion: string | undefined, userId: string, nowSec: number): Promise<UserAssertionCheck> {
  if (!assertion) return { ok: false, reason: 'missing' };
  const m = /^([0-9]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(assertion);
  const mac = m ? fromBase64Url(m[2]!) : null;
  if (!m || !mac) return { ok: false, reason: 'malformed' };
  if (!(await hmacVerify(secret, utf8(`user1.${m[1]}.${userId}`), mac))) return { ok: false, reason: 'forged' };
  if (Number(m[1]) < nowSec) return { ok: false, reason: 'expired' };
  return { ok: true };
}
