import { startMiniflareEdge } from './miniflare-edge.js';

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
  /** Drops the worker's info logs; errors still show. */
  quiet?: boolean;
  /** TCP port on 127.0.0.1; 0 (default) = ephemeral. */
  port?: number;
}

/**
 * Starts the edge worker from `wrangler.toml` in workerd (queue producer + consumer, rate limit,
 * vars, as `wrangler dev` would, without its proxy) with the S3 HTTP adapter pointed at an
 * S3-compatible server: the deployment shape of the demo and the integration suites.
 */
export async function startEdge(o: LocalEdgeOptions): Promise<LocalEdge> {
  const edge = await startMiniflareEdge({
    bindings: {
      STORE: 's3',
      S3_ENDPOINT: o.s3.endpoint,
      S3_BUCKET: o.s3.bucket,
      S3_REGION: o.s3.region,
      S3_ACCESS_KEY_ID: o.s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: o.s3.secretAccessKey,
      TOKEN_SECRET: o.tokenSecret,
      USER_SALT: o.userSalt,
      ...o.vars,
    },
    quiet: o.quiet,
    port: o.port,
  });
  return { url: edge.url, stop: edge.stop };
}
