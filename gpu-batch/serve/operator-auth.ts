import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

/** Constant-time comparison of a presented bearer token with the configured one. */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Cookie holding the operator token in a browser session (set from `?token=`). */
export const TOKEN_COOKIE = 'slatecast_operator';

/**
 * Guards operator routes (`/metrics`, `/dashboard`) with the trigger's bearer token
 * (`BATCH_TRIGGER_TOKEN`): `Authorization: Bearer <token>`, as Prometheus sends with
 * `authorization: { credentials: … }`. With `browser`, a person may instead open
 * `…?token=<token>` once: the token moves into an HttpOnly, SameSite=Strict cookie scoped to
 * the route and the browser is redirected to the URL without it, so it does not stay in the
 * address bar or history. Without a configured token these routes are off (503), like
 * `/trigger`: never open.
 */
export function operatorAuth(token: string | undefined, options: { browser?: boolean; path?: string } = {}): MiddlewareHandler {
  return async (c, next) => {
    if (!token) return c.json({ error: 'endpoint disabled: set BATCH_TRIGGER_TOKEN' }, 503);
    const m = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
    if (m && tokenMatches(m[1]!.trim(), token)) return next();
    if (options.browser) {
      const cookie = getCookie(c, TOKEN_COOKIE);
      if (cookie && tokenMatches(cookie, token)) return next();
      const q = c.req.query('token');
      if (q && tokenMatches(q, token)) {
        setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: options.path ?? '/', secure: new URL(c.req.url).protocol === 'https:' });
        const url = new URL(c.req.url);
        url.searchParams.delete('token');
        return c.redirect(url.pathname + url.search, 303);
      }
    }
    return c.json({ error: 'unauthorized' }, 401, { 'WWW-Authenticate': 'Bearer' });
  };
}
