import { Hono } from 'hono';
import type { BatchMetrics } from './metrics.js';
import { operatorAuth } from './operator-auth.js';

/** `GET /metrics`: Prometheus text exposition, behind the operator token. */
export function metricsRoute(metrics: BatchMetrics, token: string | undefined): Hono {
  const app = new Hono();
  app.use('*', operatorAuth(token));
  app.get('/', async (c) => {
    const { body, contentType } = await metrics.expose();
    return c.body(body, 200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  });
  return app;
}
