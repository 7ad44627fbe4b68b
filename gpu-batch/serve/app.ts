import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import type { BatchScheduler } from './scheduler.js';

/** Constant-time comparison of a presented bearer token with the configured one. */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The batch tier's HTTP surface, both routes behind `Authorization: Bearer <BATCH_TRIGGER_TOKEN>`
 * (401 on a wrong token; 503 when no token is configured: the endpoints are off rather than open):
 * - `POST /trigger` starts a run now → 202, or 409 when one is already running;
 * - `GET /status` → the scheduler state (last run's outcome, counts and metrics), which is for
 *   operators: it shows what the logs hold and how the model does.
 */
export function createServeApp(scheduler: BatchScheduler, triggerToken: string | undefined): Hono {
  const app = new Hono();
  const auth: MiddlewareHandler = async (c, next) => {
    if (!triggerToken) return c.json({ error: 'endpoint disabled: set BATCH_TRIGGER_TOKEN' }, 503);
    const m = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
    if (!m || !tokenMatches(m[1]!.trim(), triggerToken)) return c.json({ error: 'unauthorized' }, 401, { 'WWW-Authenticate': 'Bearer' });
    await next();
  };
  app.post('/trigger', auth, (c) => (scheduler.trigger() ? c.json({ started: true }, 202) : c.json({ started: false, error: 'a run is already in progress' }, 409)));
  app.get('/status', auth, (c) => {
    const s = scheduler.state();
    // One line per error: a DuckDB or SDK message can run to a query plan or a stack.
    return c.json({ ...s, last_error: firstLine(s.last_error), last_run: s.last_run && { ...s.last_run, error: firstLine(s.last_run.error) } });
  });
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((e, c) => {
    console.error(`batch serve: ${e.message}`);
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}

function firstLine(s: string | null): string | null {
  return s === null ? null : s.split('\n', 1)[0]!.slice(0, 300);
}
