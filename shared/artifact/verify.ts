import { sha256Hex } from '../crypto/hmac.js';
import { fromUtf8 } from '../crypto/encoding.js';
import { Manifest, Pointer } from '../schemas/artifact.js';
import type { ObjectStore } from '../store/object-store.js';
import { artifactKey, POINTER_KEY } from './paths.js';

/** A version is not servable: missing file, wrong checksum, bad schema. */
export class ArtifactError extends Error {
  override name = 'ArtifactError';
  constructor(
    readonly version: string,
    message: string,
  ) {
    super(`artifact ${version}: ${message}`);
  }
}

/**
 * What `artifacts/CURRENT` holds: nothing (never published), a valid pointer, or bytes that are
 * not one. A bad pointer is not an outage — the store answered — and a publish may still replace
 * it (compare-and-swap on its ETag), so it is a state, not an exception.
 */
export type PointerState = { kind: 'none' } | { kind: 'ok'; pointer: Pointer; etag: string } | { kind: 'bad'; etag: string; reason: string };

/**
 * Reads `artifacts/CURRENT`.
 * @throws only when the store fails; a pointer that does not parse is `{ kind: 'bad' }`
 */
export async function readPointerState(store: ObjectStore): Promise<PointerState> {
  const o = await store.get(POINTER_KEY);
  if (!o) return { kind: 'none' };
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(o.body));
  } catch {
    return { kind: 'bad', etag: o.etag, reason: 'artifacts/CURRENT is not valid JSON' };
  }
  const parsed = Pointer.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return { kind: 'bad', etag: o.etag, reason: `artifacts/CURRENT is not a valid pointer: ${i?.path.map(String).join('.')} ${i?.message}`.trim() };
  }
  return { kind: 'ok', pointer: parsed.data, etag: o.etag };
}

/**
 * @returns the current pointer and its ETag, or null when nothing was ever published
 * @throws ArtifactError when CURRENT does not hold a valid pointer
 */
export async function readPointer(store: ObjectStore): Promise<{ pointer: Pointer; etag: string } | null> {
  const s = await readPointerState(store);
  if (s.kind === 'bad') throw new ArtifactError('CURRENT', s.reason);
  return s.kind === 'ok' ? { pointer: s.pointer, etag: s.etag } : null;
}

/**
 * Reads a version's manifest and checks it against the checksum the pointer (or caller) expects.
 * @throws ArtifactError when missing, altered or of another schema
 */
export async function readManifest(store: ObjectStore, version: string, expectedSha256: string | null): Promise<Manifest> {
  const o = await store.get(artifactKey(version, 'manifest.json'));
  if (!o) throw new ArtifactError(version, 'manifest.json is missing');
  if (expectedSha256 !== null) {
    const got = await sha256Hex(o.body);
    if (got !== expectedSha256) throw new ArtifactError(version, `manifest.json sha256 ${got} != ${expectedSha256}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(o.body));
  } catch {
    throw new ArtifactError(version, 'manifest.json is not valid JSON');
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) throw new ArtifactError(version, `manifest.json is invalid: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  if (parsed.data.version !== version) throw new ArtifactError(version, `manifest names version ${parsed.data.version}`);
  return parsed.data;
}

/**
 * Reads one file of a version and verifies size and SHA-256 against the manifest.
 * @throws ArtifactError when the file is unlisted, missing, or its bytes differ
 */
export async function readVerified(store: ObjectStore, manifest: Manifest, file: string): Promise<Uint8Array> {
  const entry = manifest.files[file];
  if (!entry) throw new ArtifactError(manifest.version, `${file} is not in the manifest`);
  const o = await store.get(artifactKey(manifest.version, file));
  if (!o) throw new ArtifactError(manifest.version, `${file} is missing`);
  if (o.body.byteLength !== entry.bytes) throw new ArtifactError(manifest.version, `${file} has ${o.body.byteLength} bytes, manifest says ${entry.bytes}`);
  const got = await sha256Hex(o.body);
  if (got !== entry.sha256) throw new ArtifactError(manifest.version, `${file} sha256 mismatch`);
  return o.body;
}

/** Reads a verified JSON file and validates it with a schema. */
export async function readVerifiedJson<T>(
  store: ObjectStore,
  manifest: Manifest,
  file: string,
  schema: { safeParse(x: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } },
): Promise<T> {
  const bytes = await readVerified(store, manifest, file);
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(bytes));
  } catch {
    throw new ArtifactError(manifest.version, `${file} is not valid JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ArtifactError(manifest.version, `${file} is invalid: ${i?.path.map(String).join('.')} ${i?.message}`);
  }
  return parsed.data;
}
