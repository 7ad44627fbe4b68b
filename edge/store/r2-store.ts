import { PreconditionFailedError, unquoteEtag, type ListedObject, type ObjectStore, type PutOptions, type StoredObject } from '../../shared/store/object-store.js';

/** `ObjectStore` over a Cloudflare R2 binding (the adapter used when deployed on Cloudflare). */
export class R2Store implements ObjectStore {
  constructor(private readonly bucket: R2Bucket) {}

  async get(key: string): Promise<StoredObject | null> {
    const o = await this.bucket.get(key);
    if (!o) return null;
    return { body: new Uint8Array(await o.arrayBuffer()), etag: unquoteEtag(o.etag) };
  }

  async put(key: string, body: Uint8Array | string, opts: PutOptions = {}): Promise<{ etag: string }> {
    const onlyIf: R2Conditional | undefined = opts.ifMatch !== undefined ? { etagMatches: opts.ifMatch } : undefined;
    if (opts.ifNoneMatch === '*' && (await this.bucket.head(key))) throw new PreconditionFailedError(key);
    const res = await this.bucket.put(key, body, { onlyIf, httpMetadata: opts.contentType ? { contentType: opts.contentType } : undefined });
    if (res === null) throw new PreconditionFailedError(key);
    return { etag: unquoteEtag(res.etag) };
  }

  async list(prefix: string, opts: { startAfter?: string; limit?: number } = {}): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.bucket.list({ prefix, cursor, startAfter: opts.startAfter, limit: 1000 });
      for (const o of page.objects) out.push({ key: o.key, size: o.size, etag: unquoteEtag(o.etag) });
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor && (opts.limit === undefined || out.length < opts.limit));
    return opts.limit === undefined ? out : out.slice(0, opts.limit);
  }

  async getStream(key: string): Promise<{ stream: ReadableStream<Uint8Array>; size: number } | null> {
    const o = await this.bucket.get(key);
    return o ? { stream: o.body, size: o.size } : null;
  }

  async delete(key: string): Promise<void> {
    await this.bucket.delete(key);
  }
}
