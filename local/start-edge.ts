import { unstable_startWorker } from 'wrangler';

/** The worker running locally in workerd, reachable over loopback HTTP. */
export interface LocalEdge {
  url: URL;
  stop(): Promise<void>;
}

export interface LocalEdgeOptions {
  s3: { endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string };
  tokenSecret: string;
  userSalt: string;
  /** Extra plain-text vars (e.g. ARTIFACT_TTL_S) overriding wrangler.toml. */
  vars?: Record<string, string>;
}

/**
 * Starts the edge worker from `wrangler.toml` in workerd via wrangler's `unstable_startWorker`
 * (bundling, queue producer + consumer, cron, as `wrangler dev` would, without its proxy), with
 * the S3 HTTP adapter pointed at a local S3-compatible server.
 */
export async function startEdge(o: LocalEdgeOptions): Promise<LocalEdge> {
  // No network here: keep Miniflare from fetching the Request.cf placeholder from the internet.
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  // One info line per queue batch drowns the demo's progress; warnings and errors still show.
  process.env.WRANGLER_LOG ??= 'warn';
  const text = (value: string) => ({ type: 'plain_text' as const, value });
  const vars: Record<string, string> = {
    STORE: 's3',
    S3_ENDPOINT: o.s3.endpoint,
    S3_BUCKET: o.s3.bucket,
    S3_REGION: o.s3.region,
    S3_ACCESS_KEY_ID: o.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: o.s3.secretAccessKey,
    TOKEN_SECRET: o.tokenSecret,
    USER_SALT: o.userSalt,
    ...o.vars,
  };
  const worker = await unstable_startWorker({
    config: new URL('../wrangler.toml', import.meta.url).pathname,
    bindings: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, text(v)])),
    dev: { server: { hostname: '127.0.0.1', port: 0 }, inspector: false, watch: false, persist: false, logLevel: 'warn' },
  });
  await worker.ready;
  const url = await worker.url;
  return { url, stop: () => worker.dispose() };
}
