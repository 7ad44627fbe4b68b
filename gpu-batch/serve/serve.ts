import { serve, type ServerType } from '@hono/node-server';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { BatchConfig } from '../config/config.js';
import { runBatch, type BatchDeps } from '../run/run-batch.js';
import type { Progress } from '../util/progress.js';
import { createServeApp } from './app.js';
import { BatchScheduler } from './scheduler.js';

export interface BatchServer {
  url: string;
  scheduler: BatchScheduler;
  close(): Promise<void>;
}

/**
 * `batch serve`: the scheduler plus the HTTP trigger/status endpoint on @hono/node-server.
 * @param runNow also start one run immediately
 */
export async function startBatchServer(config: BatchConfig, store: ObjectStore, opts: { progress: Progress; runNow?: boolean; deps?: Omit<BatchDeps, 'store' | 'progress'> }): Promise<BatchServer> {
  const scheduler = new BatchScheduler(() => runBatch(config, { ...opts.deps, store, progress: opts.progress }), config.serve.everyMs, (e) => opts.progress.warn(`batch run failed: ${e.message}`));
  const app = createServeApp(scheduler, config.serve.triggerToken);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.serve.port, hostname: config.serve.host }, () => resolve(s));
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.serve.port;
  scheduler.start();
  if (opts.runNow) scheduler.trigger();
  return {
    url: `http://${config.serve.host}:${port}`,
    scheduler,
    async close() {
      await scheduler.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
