import { verifyUserAssertion } from '../shared/crypto/user-assertion.js';
import type { AppContext } from './env.js';
import { HttpError } from './errors.js';

/** Header that carries the site's signed user assertion (kept out of URLs and access logs). */
export const USER_ASSERTION_HEADER = 'x-user-assertion';

/**
 * When `USER_ASSERTION_SECRET` is set, a slate is served only for a user id the site's server
 * signed (see shared/crypto/user-assertion.ts): 401 naming `user_assertion` otherwise.
 * @returns whether the user id is vouched for (false when assertions are not configured)
 */
export async function checkUserAssertion(c: AppContext, userId: string, now: number): Promise<boolean> {
  const secret = c.env.USER_ASSERTION_SECRET;
  if (!secret) return false;
  const check = await verifyUserAssertion(secret, c.req.header(USER_ASSERTION_HEADER), userId, Math.floor(now / 1000));
  if (!check.ok) throw new HttpError(401, `user_assertion_${check.reason}`, `user_assertion: ${check.reason} (send the site's signed assertion in ${USER_ASSERTION_HEADER})`, 'user_assertion');
  return true;
}
