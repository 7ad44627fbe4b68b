import { AwsClient } from 'aws4fetch';
import { PreconditionFailedError, unquoteEtag, type ListedObject, type ObjectStore, type PutOptions, type StoredObject } from '../../shared/store/object-store.js';

export interface S3HttpConfig {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** S3 said something other than success; carries the status for callers and logs. */
export class S3HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `ObjectStore` over plain S3 HTTP requests signed with SigV4 (aws4fetch), path-style, for AWS S3
 * or any S3-compatible server (Ceph RGW, MinIO, s3rver). If-Match is sent unquoted: RGW wants it
 * so and AWS accepts both.
 */
export class S3HttpStore implements ObjectStore {
  private readonly aws: AwsClient;
  private readonly base: string;

  constructor(cfg: S3HttpConfig) {
    this.aws = new AwsClient({ accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey, service: 's3', region: cfg.region, retries: 1 });
    this.base = `${cfg.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(cfg.bucket)}`;
  }

  private url(key: string): string {
    return `${this.base}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  async get(key: string): Promise<StoredObject | null> {
    const r = await this.aws.fetch(this.url(key));
    if (r.status === 404) {
      await r.body?.cancel();
      return null;
    }
    if (!r.ok) throw await failure('GET', key, r);
    return { body: new Uint8Array(await r.arrayBuffer()), etag: unquoteEtag(r.headers.get('etag') ?? '') };
  }

  async put(key: string, body: Uint8Array | string, opts: PutOptions = {}): Promise<{ etag: string }> {
    const headers: Record<string, string> = {};
    if (opts.contentType) headers['content-type'] = opts.contentType;
    if (opts.ifMatch !== undefined) headers['if-match'] = opts.ifMatch;
    if (opts.ifNoneMatch) headers['if-none-match'] = opts.ifNoneMatch;
    const r = await this.aws.fetch(this.url(key), { method: 'PUT', body: body as BodyInit, headers });
    if (r.status === 412) {
      await r.body?.cancel();
      throw new PreconditionFailedError(key);
    }
    if (!r.ok) throw await failure('PUT', key, r);
    await r.body?.cancel();
    return { etag: unquoteEtag(r.headers.get('etag') ?? '') };
  }

  async list(prefix: string, opts: { startAfter?: string; limit?: number } = {}): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    let token: string | undefined;
    do {
      const q = new URLSearchParams({ 'list-type': '2', prefix });
      if (opts.startAfter) q.set('start-after', opts.startAfter);
      if (token) q.set('continuation-token', token);
      const r = await this.aws.fetch(`${this.base}?${q}`);
      if (!r.ok) throw await failure('LIST', prefix, r);
      const xml = await r.text();
      for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const c = m[1]!;
        out.push({ key: xmlText(c, 'Key'), size: Number(xmlText(c, 'Size')), etag: unquoteEtag(xmlText(c, 'ETag')) });
      }
      token = xmlText(xml, 'IsTruncated') === 'true' ? xmlText(xml, 'NextContinuationToken') : undefined;
    } while (token && (opts.limit === undefined || out.length < opts.limit));
    return opts.limit === undefined ? out : out.slice(0, opts.limit);
  }

  async getStream(key: string): Promise<{ stream: ReadableStream<Uint8Array>; size: number } | null> {
    const r = await this.aws.fetch(this.url(key));
    if (r.status === 404) {
      await r.body?.cancel();
      return null;
    }
    if (!r.ok || !r.body) throw await failure('GET', key, r);
    return { stream: r.body as ReadableStream<Uint8Array>, size: Number(r.headers.get('content-length') ?? -1) };
  }

  async delete(key: string): Promise<void> {
    const r = await this.aws.fetch(this.url(key), { method: 'DELETE' });
    if (!r.ok && r.status !== 404) throw await failure('DELETE', key, r);
    await r.body?.cancel();
  }
}

async function failure(op: string, key: string, r: Response): Promise<S3HttpError> {
  const text = (await r.text()).slice(0, 300);
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? '';
  return new S3HttpError(r.status, `S3 ${op} ${key} failed: HTTP ${r.status} ${code}`);
}

/** Text of the first `<tag>` in a fragment of S3's XML, entities decoded. */
function xmlText(xml: string, tag: string): string {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return (m?.[1] ?? '')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)))
    .replace(/&amp;/g, '&');
}
