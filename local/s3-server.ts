import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
// @ts-expect-error s3rver ships no types
import FilesystemStore from 's3rver/lib/stores/filesystem.js';

/**
 * s3rver 3.7 answers a PUT before the object's bytes are on disk (it resolves on `end()` of the
 * write stream, not on its `finish`), so an immediate GET or LIST can see a truncated object —
 * real S3 is read-after-write consistent. Replace its putObject with one that writes a temp
 * file, waits for it to close, then renames it into place (atomic on one filesystem).
 */
let patched = false;
function makeWritesAtomic(): void {
  if (patched) return;
  patched = true;
  const proto = (FilesystemStore as { prototype: Record<string, unknown> }).prototype;
  proto.putObject = async function (this: { getResourcePath(b: string, k: string, r: string): string; putMetadata(b: string, k: string, m: unknown, md5: string): Promise<void> }, object: { bucket: string; key: string; content: Buffer | Readable; metadata: unknown }) {
    const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(objectPath), { recursive: true });
    const tmp = `${objectPath}.${randomBytes(6).toString('hex')}.partial`;
    const md5 = createHash('md5');
    let size = 0;
    const source: Readable = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    await pipeline(
      source,
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          md5.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      }),
      createWriteStream(tmp),
    );
    await rename(tmp, objectPath);
    const digest = md5.digest('hex');
    await this.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };
}

/** A running S3-compatible server on loopback (s3rver: real HTTP, ignores signatures). */
export interface S3Server {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

/**
 * Starts s3rver on 127.0.0.1 with an ephemeral port and a temp directory, with one bucket.
 * @param bucket bucket to create
 */
export async function startS3Server(bucket = 'slatecast'): Promise<S3Server> {
  makeWritesAtomic();
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket }] });
  const addr = (await server.run()) as { address: string; port: number };
  return {
    endpoint: `http://127.0.0.1:${addr.port}`,
    bucket,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
