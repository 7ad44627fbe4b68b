import { Miniflare } from 'miniflare';
import { bundleWorker } from './bundle-worker.js';

/**
 * The worker bundled with esbuild and run by the `Miniflare` class directly: no dev proxy in
 * front of workerd, so this is the topology for load tests and benchmarks. Bindings mirror
 * wrangler.toml (R2 bucket, log queue producer and consumer); `.wasm` imports become compiled
 * WebAssembly modules, as wrangler bundles them.
 */
export async function startMiniflareEdge(opts: { bindings: Record<string, string>; queueBatchTimeoutS?: number; quiet?: boolean }): Promise<{ mf: Miniflare; url: URL; stop(): Promise<void> }> {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  const modules = await bundleWorker(new URL('../edge/index.ts', import.meta.url).pathname);
  const mf = new Miniflare({
    modules,
    modulesRoot: '/',
    compatibilityDate: '2026-04-20',
    r2Buckets: ['BUCKET'],
    queueProducers: { LOG_QUEUE: 'slatecast-logs' },
    queueConsumers: { 'slatecast-logs': { maxBatchSize: 100, maxBatchTimeout: opts.queueBatchTimeoutS ?? 2, maxRetries: 10 } },
    ratelimits: { EVENTS_RATE_LIMIT: { simple: { limit: 120, period: 60 } } },
    bindings: { STORE: 'r2', TOKEN_TTL_S: '3600', ARTIFACT_TTL_S: '30', ARTIFACT_HARD_TTL_S: '900', ...opts.bindings },
    host: '127.0.0.1',
    port: 0,
    cf: false,
    // Benchmarks drop the worker's info logs (one line per queue batch); errors still show.
    ...(opts.quiet ? { handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => { stdout.resume(); stderr.pipe(process.stderr); } } : {}),
  });
  const url = await mf.ready;
  return { mf, url, stop: () => mf.dispose() };
}
