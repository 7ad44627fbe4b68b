import { Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { bundleWorker } from './bundle-worker.js';

export interface MiniflareEdgeOptions {
  /** Plain-text vars and secrets, over wrangler.toml's `[vars]`. */
  bindings: Record<string, string>;
  /** Overrides wrangler.toml's `max_batch_timeout` of the log queue consumer (seconds). */
  queueBatchTimeoutS?: number;
  /** Drops the worker's info logs (one line per queue batch); errors still show. */
  quiet?: boolean;
  /** TCP port on 127.0.0.1; 0 (default) = ephemeral. */
  port?: number;
}

/**
 * The edge worker from wrangler.toml run by the `Miniflare` class: wrangler turns the config into
 * Miniflare options (vars, R2 bucket, queue producer and consumer, rate limit), esbuild bundles
 * `main` as wrangler would (`.wasm` imports become precompiled modules). Used by the demo, the
 * integration suites and the benchmarks. Why not wrangler's `unstable_startWorker`: it watches
 * the bundle's sources and reloads the worker when one changes (even with `watch: false`), and a
 * reload loses what is in Miniflare's in-memory queue; this one bundles once and never reloads.
 * There is no dev proxy in front of workerd either, so it is also the topology for load tests.
 */
export async function startMiniflareEdge(opts: MiniflareEdgeOptions): Promise<{ mf: Miniflare; url: URL; stop(): Promise<void> }> {
  // No network here: keep Miniflare from fetching the Request.cf placeholder from the internet.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  const config = new URL('../wrangler.toml', import.meta.url).pathname;
  const { workerOptions, main } = unstable_getMiniflareWorkerOptions(config);
  if (!main) throw new Error(`${config} names no main module`);
  const modules = await bundleWorker(main);
  const consumers = (workerOptions.queueConsumers ?? {}) as Record<string, Record<string, unknown>>;
  const queueConsumers = Object.fromEntries(
    Object.entries(consumers).map(([name, c]) => [name, opts.queueBatchTimeoutS === undefined ? c : { ...c, maxBatchTimeout: opts.queueBatchTimeoutS }]),
  );
  const mf = new Miniflare({
    ...workerOptions,
    modules,
    modulesRoot: '/',
    modulesRules: undefined,
    queueConsumers,
    bindings: { ...workerOptions.bindings, ...opts.bindings },
    host: '127.0.0.1',
    port: opts.port ?? 0,
    cf: false,
    ...(opts.quiet ? { handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => { stdout.resume(); stderr.pipe(process.stderr); } } : {}),
  } as ConstructorParameters<typeof Miniflare>[0]);
  const url = await mf.ready;
  return { mf, url, stop: () => mf.dispose() };
}
