import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { PreconditionFailedError, unquoteEtag, type ListedObject, type ObjectStore, type PutOptions, type StoredObject } from '../../shared/store/object-store.js';
import type { BatchConfig } from '../config/config.js';

/**
 * The object-store port over `@aws-sdk/client-s3`: AWS S3, R2's S3 API, or a local server.
 * Path-style addressing because local servers and R2 do not do virtual hosts on loopback.
 * Checksums are sent only when an operation requires them: several S3-compatible servers reject
 * the SDK's default trailing CRC32 on uploads.
 *
 * Unconditional bodies of `multipart.threshold` bytes or more go up as a multipart upload
 * (`multipart.partSize` parts, a few in flight at once; aborted on failure), below it and for every
 * conditional write as one PUT: servers check If-Match / If-None-Match on PutObject, not (Ceph RGW
 * 16) on CompleteMultipartUpload.
 */
export class S3Store implements ObjectStore {
  readonly multipart: MultipartOptions;

  constructor(
    readonly client: S3Client,
    readonly bucket: string,
    multipart: Partial<MultipartOptions> = {},
  ) {
    this.multipart = { ...DEFAULT_MULTIPART, ...multipart };
    if (this.multipart.partSize < MIN_PART_SIZE) throw new RangeError(`multipart part size must be at least ${MIN_PART_SIZE} bytes (S3's minimum)`);
  }

  /** @param s3 the `s3` part of the batch config */
  static fromConfig(s3: BatchConfig['s3']): S3Store {
    const client = new S3Client({
      region: s3.region,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
      ...(s3.accessKeyId && s3.secretAccessKey ? { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } } : {}),
    });
    return new S3Store(client, s3.bucket);
  }

  async get(key: string): Promise<StoredObject | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      return { body, etag: unquoteEtag(out.ETag ?? '') };
    } catch (e) {
      if (isStatus(e, 404) || errorName(e) === 'NoSuchKey') return null;
      throw e;
    }
  }

  async put(key: string, body: Uint8Array | string, opts: PutOptions = {}): Promise<{ etag: string }> {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    if (bytes.byteLength >= this.multipart.threshold && opts.ifMatch === undefined && opts.ifNoneMatch === undefined) {
      return this.putMultipart(key, bytes, opts.contentType);
    }
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: bytes,
          ContentType: opts.contentType,
          // S3 accepts the ETag unquoted in If-Match; the port's ETags are unquoted already.
          IfMatch: opts.ifMatch,
          IfNoneMatch: opts.ifNoneMatch,
        }),
      );
      return { etag: unquoteEtag(out.ETag ?? '') };
    } catch (e) {
      // 409 ConditionalRequestConflict: a concurrent conditional write is in flight; also a loss.
      if (isStatus(e, 412) || errorName(e) === 'PreconditionFailed' || (isStatus(e, 409) && (opts.ifMatch || opts.ifNoneMatch))) {
        throw new PreconditionFailedError(key);
      }
      throw e;
    }
  }

  private async putMultipart(key: string, body: Uint8Array, contentType: string | undefined): Promise<{ etag: string }> {
    const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }));
    const uploadId = created.UploadId;
    if (!uploadId) throw new Error(`S3 CreateMultipartUpload ${key}: no UploadId in the answer`);
    try {
      const { partSize, concurrency } = this.multipart;
      const count = Math.ceil(body.byteLength / partSize);
      const etags: string[] = new Array(count);
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const i = next++;
          const part = body.subarray(i * partSize, Math.min(body.byteLength, (i + 1) * partSize));
          const out = await this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: i + 1, Body: part, ContentLength: part.byteLength }));
          if (!out.ETag) throw new Error(`S3 UploadPart ${key} #${i + 1}: no ETag in the answer`);
          etags[i] = out.ETag;
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
      const done = await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
        }),
      );
      const etag = unquoteEtag(done.ETag ?? '');
      if (etag) return { etag };
      // Ceph RGW 16 answers CompleteMultipartUpload with an empty <ETag>: ask for it.
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { etag: unquoteEtag(head.ETag ?? '') };
    } catch (e) {
      // Best effort: an upload left open costs only storage until it is aborted or expires.
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch(() => {});
      throw e;
    }
  }

  async list(prefix: string, opts: { startAfter?: string; limit?: number } = {}): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    let token: string | undefined;
    const limit = opts.limit ?? Infinity;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : opts.startAfter !== undefined ? { StartAfter: opts.startAfter } : {}),
          MaxKeys: Math.min(1000, limit - out.length),
        }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        // Some servers ignore StartAfter on later pages or altogether; the port promises "strictly after".
        if (opts.startAfter !== undefined && o.Key <= opts.startAfter) continue;
        out.push({ key: o.Key, size: o.Size ?? 0, etag: unquoteEtag(o.ETag ?? '') });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && out.length < limit);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).slice(0, limit);
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (e) {
      if (isStatus(e, 404)) return;
      throw e;
    }
  }

  /** Releases sockets so a CLI process can exit promptly. */
  close(): void {
    this.client.destroy();
  }
}

/** When `S3Store.put` switches to a multipart upload, and how. */
export interface MultipartOptions {
  /** Unconditional bodies of at least this many bytes go up in parts. */
  threshold: number;
  /** Bytes per part (S3: at least 5 MiB except the last). */
  partSize: number;
  /** Parts in flight at once. */
  concurrency: number;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;
const DEFAULT_MULTIPART: MultipartOptions = { threshold: 16 * 1024 * 1024, partSize: 8 * 1024 * 1024, concurrency: 4 };

function isStatus(e: unknown, status: number): boolean {
  return e instanceof S3ServiceException ? e.$metadata.httpStatusCode === status : (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === status;
}

function errorName(e: unknown): string | undefined {
  return (e as { name?: string })?.name;
}
