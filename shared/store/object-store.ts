/**
 * The object-store port. One interface, several adapters: the R2 binding and signed S3 HTTP at the
 * edge (`edge/store/`), the AWS SDK in the batch tier (`gpu-batch/store/`), memory for unit tests.
 * A missing object is `null`, never an exception. ETags are always unquoted here; adapters quote
 * or unquote as their server wants.
 */

export interface StoredObject {
  body: Uint8Array;
  etag: string;
}

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
}

export interface PutOptions {
  contentType?: string;
  /** Write only if the current object's ETag equals this (compare-and-swap). */
  ifMatch?: string;
  /** `'*'`: write only if no object exists at the key. */
  ifNoneMatch?: '*';
}

/** A conditional write lost: someone else changed the object first. */
export class PreconditionFailedError extends Error {
  override name = 'PreconditionFailedError';
  constructor(readonly key: string) {
    super(`precondition failed writing ${key}: the object changed since it was read`);
  }
}

export interface ObjectStore {
  get(key: string): Promise<StoredObject | null>;
  /** @throws PreconditionFailedError when `ifMatch`/`ifNoneMatch` does not hold */
  put(key: string, body: Uint8Array | string, opts?: PutOptions): Promise<{ etag: string }>;
  /**
   * Keys under a prefix in lexicographic order, strictly after `startAfter`, at most `limit`
   * (default: all). Adapters paginate internally.
   */
  list(prefix: string, opts?: { startAfter?: string; limit?: number }): Promise<ListedObject[]>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Optional: the body as a stream, for objects too big to hold twice in memory (the edge's item
   * matrix inside a 128 MB isolate). Adapters without it are read with `get`.
   */
  getStream?(key: string): Promise<{ stream: ReadableStream<Uint8Array>; size: number } | null>;
}

/** Strips the quotes S3 puts around ETags. */
export function unquoteEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}
