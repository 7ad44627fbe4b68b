import { artifactKey } from '../../shared/artifact/paths.js';
import { ArtifactError, readVerified } from '../../shared/artifact/verify.js';
import { toHex } from '../../shared/crypto/encoding.js';
import type { Manifest } from '../../shared/schemas/artifact.js';
import type { ObjectStore } from '../../shared/store/object-store.js';

/**
 * A version's file as a stream, hashed on the way through with workerd's `crypto.DigestStream`,
 * so a 64 MB matrix goes from the store into wasm memory without a second copy in JS. The
 * consumer must treat the bytes as unverified until `verified` resolves; it rejects with an
 * `ArtifactError` when size or SHA-256 differ from the manifest. Stores without streams, and
 * runtimes without DigestStream (Node), fall back to a verified whole read.
 */
export async function streamVerified(store: ObjectStore, manifest: Manifest, file: string): Promise<{ body: ReadableStream<Uint8Array> | Uint8Array; verified: Promise<void> }> {
  const entry = manifest.files[file];
  if (!entry) throw new ArtifactError(manifest.version, `${file} is not in the manifest`);
  const DigestStream = (crypto as unknown as { DigestStream?: new (alg: string) => WritableStream<Uint8Array> & { digest: Promise<ArrayBuffer> } }).DigestStream;
  if (!store.getStream || !DigestStream) return { body: await readVerified(store, manifest, file), verified: Promise.resolve() };
  const o = await store.getStream(artifactKey(manifest.version, file));
  if (!o) throw new ArtifactError(manifest.version, `${file} is missing`);
  const [toHash, toConsumer] = o.stream.tee();
  const digest = new DigestStream('SHA-256');
  let bytes = 0;
  const counted = toHash.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        bytes += chunk.byteLength;
        ctl.enqueue(chunk);
      },
    }),
  );
  const verified = counted.pipeTo(digest).then(async () => {
    if (bytes !== entry.bytes) throw new ArtifactError(manifest.version, `${file} has ${bytes} bytes, manifest says ${entry.bytes}`);
    if (toHex(await digest.digest) !== entry.sha256) throw new ArtifactError(manifest.version, `${file} sha256 mismatch`);
  });
  // Marked handled now: the hash may finish (and fail) before the caller gets to await it.
  verified.catch(() => {});
  return { body: toConsumer, verified };
}
