import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { BatchScheduler } from './scheduler.js';

/** Constant-time comparison of a presented bearer token with the configured one. */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The batch tier's HTTP surface:
 * - `POST /trigger` (Authorization: Bearer <BATCH_TRIGGER_TOKEN>) starts a run now → 202, or
 *   409 when one is already running; 401 on a wrong token; 503 when no token is configured (the
 *   endpoint is off rather than open).
 * - `GET /status` → the scheduler state (last run's outcome, counts and metrics).
 * - `mount`: more sub-apps by path (`/metrics`, `/dashboard`), each guarding itself.
 */
export function createServeApp(scheduler: BatchScheduler, triggerToken: string | undefined, mount: ReadonlyArray<readonly [string, Hono]> = []): Hono {
  const app = new Hono();
  for (const [path, sub] of mount) app.route(path, sub);
  app.post('/trigger', (c) => {
    if (!triggerToken) return c.json({ error: 'trigger disabled: set BATCH_TRIGGER_TOKEN' }, 503);
    const auth = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    if (!m || !tokenMatches(m[1]!.trim(), triggerToken)) return c.json({ error: 'unauthorized' }, 401, { 'WWW-Authenticate': 'Bearer' });
    return scheduler.trigger() ? c.json({ started: true }, 202) : c.json({ started: false, error: 'a run is already in progress' }, 409);
  });
  app.get('/status', (c) => c.json(scheduler.state()));
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((e, c) => {
    console.error(`batch serve: ${e.message}`);
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
