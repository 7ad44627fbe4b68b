import { z } from 'zod';
import { startBatchServer } from '../../serve/serve.js';
import { defineCommand, none } from '../command.js';

/** `slatecast batch serve`: runs on a schedule and serves the trigger, status, metrics and dashboard. */
export const batchServe = defineCommand({
  usage: `batch serve [--every 15m]    run on a schedule; POST /trigger, GET /status, GET /metrics (Prometheus) and
                               /dashboard, all behind bearer BATCH_TRIGGER_TOKEN (docs/monitoring.md);
                               --run-now also runs once at start`,
  flags: z.object({ 'run-now': z.boolean().default(false) }),
  positionals: none,
  async run({ config, store, progress, flags }) {
    const server = await startBatchServer(config, store, { progress, runNow: flags['run-now'] });
    progress.info(`batch serve on ${server.url}: every ${config.serve.everyMs / 60000} min, GET /status; POST /trigger, GET /metrics, GET /dashboard ${config.serve.triggerToken ? `enabled (bearer token; a browser may open ${server.url}/dashboard?token=…)` : 'disabled (no BATCH_TRIGGER_TOKEN)'}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    progress.info('stopping: waiting for a run in progress');
    await server.close();
    return 0;
  },
});
