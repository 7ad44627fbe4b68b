import { PreconditionFailedError, type ListedObject, type ObjectStore, type PutOptions, type StoredObject } from './object-store.js';

/** In-memory `ObjectStore` with real conditional-write semantics, for unit tests. */
export class MemoryStore implements ObjectStore {
  private readonly objects = new Map<string, StoredObject>();
  private counter = 0;

  async get(key: string): Promise<StoredObject | null> {
    const o = this.objects.get(key);
    return o ? { body: o.body.slice(), etag: o.etag } : null;
  }

  async put(key: string, body: Uint8Array | string, opts: PutOptions = {}): Promise<{ etag: string }> {
    const current = this.objects.get(key);
    if (opts.ifNoneMatch === '*' && current) throw new PreconditionFailedError(key);
    if (opts.ifMatch !== undefined && current?.etag !== opts.ifMatch) throw new PreconditionFailedError(key);
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body.slice();
    const etag = `m${++this.counter}`;
    this.objects.set(key, { body: bytes, etag });
    return { etag };
  }

  async list(prefix: string, opts: { startAfter?: string; limit?: number } = {}): Promise<ListedObject[]> {
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix) && (opts.startAfter === undefined || k > opts.startAfter)).sort();
    return keys.slice(0, opts.limit ?? keys.length).map((key) => {
      const o = this.objects.get(key)!;
      return { key, size: o.body.byteLength, etag: o.etag };
    });
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
}
