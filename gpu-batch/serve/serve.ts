import { serve, type ServerType } from '@hono/node-server';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { BatchConfig } from '../config/config.js';
import { runBatch, type BatchDeps } from '../run/run-batch.js';
import type { Progress } from '../util/progress.js';
import { createServeApp } from './app.js';
import { BatchMetrics } from './metrics.js';
import { metricsRoute } from './metrics-route.js';
import { dashboardRoute } from './dashboard/dashboard-route.js';
import { BatchScheduler } from './scheduler.js';

/** Routes named in the request counter; anything else counts as `other` (bounded label values). */
const ROUTES = ['/trigger', '/status', '/metrics', '/dashboard', '/dashboard/data'];

export interface BatchServer {
  url: string;
  scheduler: BatchScheduler;
  metrics: BatchMetrics;
  close(): Promise<void>;
}

/**
 * `batch serve`: the scheduler plus the HTTP endpoints (trigger, status, metrics, dashboard) on @hono/node-server.
 * @param runNow also start one run immediately
 */
export async function startBatchServer(config: BatchConfig, store: ObjectStore, opts: { progress: Progress; runNow?: boolean; deps?: Omit<BatchDeps, 'store' | 'progress'> }): Promise<BatchServer> {
  const metrics = new BatchMetrics(store);
  const run = () =>
    runBatch(config, { ...opts.deps, store, progress: opts.progress }).then(
      (r) => (metrics.observeRun(r), r),
      (e: unknown) => {
        metrics.runFailed();
        throw e;
      },
    );
  const scheduler = new BatchScheduler(run, config.serve.everyMs, (e) => opts.progress.warn(`batch run failed: ${e.message}`));
  const token = config.serve.triggerToken;
  const app = createServeApp(scheduler, token, [
    ['/metrics', metricsRoute(metrics, token)],
    ['/dashboard', dashboardRoute(store, config.workDir, token)],
  ]);
  const fetch = async (req: Request): Promise<Response> => {
    const res = await app.fetch(req);
    const path = new URL(req.url).pathname;
    metrics.request(req.method, ROUTES.includes(path) ? path : 'other', res.status);
    return res;
  };
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch, port: config.serve.port, hostname: config.serve.host }, () => resolve(s));
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.serve.port;
  scheduler.start();
  if (opts.runNow) scheduler.trigger();
  return {
    url: `http://${config.serve.host}:${port}`,
    scheduler,
    metrics,
    async close() {
      await scheduler.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
