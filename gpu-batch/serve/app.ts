import { Hono } from 'hono';
import { operatorAuth } from './operator-auth.js';
import type { BatchScheduler } from './scheduler.js';

export { tokenMatches } from './operator-auth.js';

/**
 * The batch tier's HTTP surface, every route behind the operator token
 * (`Authorization: Bearer <BATCH_TRIGGER_TOKEN>`; 401 on a wrong token; 503 when no token is
 * configured: the endpoints are off rather than open):
 * - `POST /trigger` starts a run now → 202, or 409 when one is already running;
 * - `GET /status` → the scheduler state (last run's outcome, counts and metrics), which is for
 *   operators: it shows what the logs hold and how the model does.
 * - `mount`: more sub-apps by path (`/metrics`, `/dashboard`), each guarding itself.
 */
export function createServeApp(scheduler: BatchScheduler, triggerToken: string | undefined, mount: ReadonlyArray<readonly [string, Hono]> = []): Hono {
  const app = new Hono();
  const auth = operatorAuth(triggerToken);
  for (const [path, sub] of mount) app.route(path, sub);
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
