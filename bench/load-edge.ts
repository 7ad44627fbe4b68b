/**
 * `npm run load`: 64 concurrent connections on GET /v1/slate + POST /v1/events against the worker
 * in workerd (Miniflare, loopback only) for a bounded time; then every impression and event the
 * load sent must be found in the logs (R2), exactly as sent. Prints req/s, p50, p99; exits 1 on
 * any error or missing record.
 *   --seconds N (default 60)  --connections N (default 64)
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { SlatecastClient } from '../client/index.js';
import { R2Store } from '../edge/store/r2-store.js';
import { startMiniflareEdge } from '../local/miniflare-edge.js';
import { SlateResponse } from '../shared/schemas/slate.js';
import { publishFixture } from '../test/support/fixture-artifact.js';

const { values } = parseArgs({ options: { seconds: { type: 'string' }, connections: { type: 'string' } } });
const seconds = Number(values.seconds ?? 60);
const connections = Number(values.connections ?? 64);
if (!(seconds > 0 && seconds <= 600) || !(connections > 0 && connections <= 512)) {
  process.stderr.write('load: --seconds must be in (0, 600] and --connections in (0, 512]\n');
  process.exit(2);
}

const salt = 'load-user-salt-0123456789';
const edge = await startMiniflareEdge({ bindings: { TOKEN_SECRET: 'load-token-secret-0123456789', USER_SALT: salt }, quiet: true, queueBatchTimeoutS: 1 });
let failed: boolean;
try {
  const bucket = (await edge.mf.getR2Bucket('BUCKET')) as unknown as R2Bucket;
  const users = Array.from({ length: 2000 }, (_, i) => `load-user-${i}`);
  await publishFixture(new R2Store(bucket), { salt, items: 1000, shards: 16, users: Object.fromEntries(users.map((u, j) => [u, Array.from({ length: 60 }, (_, i) => `item-${(i * 13 + j) % 1000}`)])) });
  const base = edge.url.toString().replace(/\/$/, '');
  const impressions = new Set<string>();
  const events = new Set<string>();
  const latencies: number[] = [];
  const errors: string[] = [];
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  // No retries: a load test counts failures instead of hiding them.
  const client = new SlatecastClient({ baseUrl: base, retry: { retries: 0 } });
  const timed = async <T>(f: () => Promise<T>): Promise<T> => {
    const s = performance.now();
    const r = await f();
    latencies.push(performance.now() - s);
    return r;
  };
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const i = n++;
        try {
          const s = SlateResponse.parse(await timed(() => client.getSlate({ user_id: users[i % users.length]!, k: 10 })));
          impressions.add(s.impression_id);
          if (i % 2 === 0) {
            const e = await timed(() => client.postEvent({ token: s.token, item_id: s.items[i % s.items.length]!.item_id, type: 'click' }));
            events.add(e.event_id);
          }
        } catch (e) {
          errors.push(e instanceof Error ? e.message : String(e));
        }
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  console.log(`load: ${latencies.length} requests in ${wall.toFixed(1)} s = ${(latencies.length / wall).toFixed(0)} req/s at ${connections} connections; p50 ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms; errors ${errors.length}${errors.length ? ` (first: ${errors[0]})` : ''}`);

  // Everything sent must reach the logs: poll R2 until it has, or give up after 60 s.
  const seen = { impressions: new Set<string>(), events: new Set<string>() };
  const read = new Set<string>();
  const deadline = Date.now() + 60_000;
  let missingImp = impressions.size;
  let missingEv = events.size;
  while (Date.now() < deadline) {
    for (const [prefix, ids, field] of [['logs/impressions/', seen.impressions, 'impression_id'], ['logs/events/', seen.events, 'event_id']] as const) {
      let cursor: string | undefined;
      do {
        const page = await bucket.list({ prefix, cursor });
        for (const o of page.objects) {
          if (read.has(o.key)) continue;
          const text = await (await bucket.get(o.key))!.text();
          for (const line of text.split('\n')) if (line) ids.add((JSON.parse(line) as Record<string, string>)[field]!);
          read.add(o.key);
        }
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
    }
    missingImp = [...impressions].filter((id) => !seen.impressions.has(id)).length;
    missingEv = [...events].filter((id) => !seen.events.has(id)).length;
    if (missingImp === 0 && missingEv === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`logs: ${impressions.size - missingImp}/${impressions.size} impressions and ${events.size - missingEv}/${events.size} events found in ${read.size} log objects`);
  failed = errors.length > 0 || missingImp > 0 || missingEv > 0;
} finally {
  await edge.stop();
}
process.exit(failed ? 1 : 0);
