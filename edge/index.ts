import { createApp } from './app.js';
import { defaultDeps } from './deps.js';
import type { AppEnv } from './env.js';
import { writeLogBatch } from './queue/consumer.js';
import { storeFor } from './store/index.js';

/** One app per isolate: module scope is per isolate in Workers, so its caches are too. */
const app = createApp(defaultDeps());

/**
 * The Worker: HTTP (`fetch`), the log queue consumer (`queue`) and the Cron Trigger that pokes the
 * batch tier (`scheduled`).
 */
export default {
  fetch: app.fetch,

  async queue(batch, env, _ctx) {
    let written;
    try {
      written = await writeLogBatch(storeFor(env), batch.messages, Date.now());
    } catch (e) {
      // Thrown on so the runtime retries the whole batch; said here so a retry is never silent.
      console.error(`slatecast: log batch of ${batch.messages.length} not written (attempt ${batch.messages[0]?.attempts ?? 1}), will retry: ${e instanceof Error ? e.message : e}`);
      throw e;
    }
    console.log(`slatecast: logged ${written.impressions} impressions, ${written.events} events${written.quarantined ? `, quarantined ${written.quarantined}` : ''}`);
  },

  async scheduled(_controller, env, ctx) {
    if (!env.BATCH_TRIGGER_URL) return;
    ctx.waitUntil(
      fetch(env.BATCH_TRIGGER_URL, { method: 'POST', headers: { authorization: `Bearer ${env.BATCH_TRIGGER_TOKEN ?? ''}` } }).then(
        (r) => console.log(`slatecast: batch trigger answered ${r.status}`),
        (e: unknown) => console.error(`slatecast: batch trigger failed: ${e instanceof Error ? e.message : e}`),
      ),
    );
  },
} satisfies ExportedHandler<AppEnv>;
