import { Hono } from 'hono';
import type { ObjectStore } from '../../../shared/store/object-store.js';
import { operatorAuth } from '../operator-auth.js';
import { dashboardData, type DashboardData } from './dashboard-data.js';
import { dashboardPage } from './dashboard-page.js';

/**
 * `GET /dashboard` (HTML) and `GET /dashboard/data` (JSON), behind the operator token (header,
 * or once `?token=` for a browser, see `operatorAuth`). Requests share one gathering at a time
 * (single flight): gathering mirrors the lake into one folder, which two at once would race on.
 */
export function dashboardRoute(store: ObjectStore, workDir: string, token: string | undefined, now: () => number = Date.now): Hono {
  let inFlight: Promise<DashboardData> | null = null;
  const gather = () => {
    inFlight ??= dashboardData(store, workDir, now()).finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
  const app = new Hono();
  app.use('*', operatorAuth(token, { browser: true, path: '/dashboard' }));
  app.get('/', async (c) => c.html(await dashboardPage(await gather()), 200, { 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'" }));
  app.get('/data', async (c) => c.json(await gather(), 200, { 'Cache-Control': 'no-store' }));
  return app;
}
