import { utf8 } from '../crypto/encoding.js';
import { sha256Hex } from '../crypto/hmac.js';
import type { Canary, Manifest, Pointer } from '../schemas/artifact.js';
import { PreconditionFailedError, type ObjectStore } from '../store/object-store.js';
import { nextHistory } from './history.js';
import { artifactKey, POINTER_KEY } from './paths.js';
import { readManifest, readPointerState, readVerified, type PointerState } from './verify.js';

/** Everything of a new version except the file table, which `publishVersion` computes. */
export type ManifestDraft = Omit<Manifest, 'files' | 'schema'>;

/** Another publisher swapped `CURRENT` between our read and our write. */
export class PublishConflictError extends Error {
  override name = 'PublishConflictError';
  constructor(readonly version: string) {
    super(`publish of ${version} lost the race: artifacts/CURRENT changed while publishing; nothing was swapped`);
  }
}

export interface PublishResult {
  version: string;
  manifestSha256: string;
  previous: string | null;
  bytes: number;
}

/**
 * Publishes a version: writes every file, writes the manifest, reads everything back and verifies
 * it, and only then swaps `artifacts/CURRENT` with a compare-and-swap on the ETag read before the
 * swap. A failure at any step leaves `CURRENT` untouched (the half-written version is unreachable
 * garbage that a re-run overwrites or GC removes).
 *
 * @param expectedPrevious when given, the swap happens only if CURRENT still names this version
 *   (the version the candidate was evaluated against); pass undefined to accept any.
 * @param opts.canary publish as a canary: CURRENT keeps naming its version and serves the new one
 *   to this share of users beside it (shared/artifact/canary.ts); needs a valid CURRENT
 * @throws PublishConflictError when the pointer changed under us
 */
export async function publishVersion(
  store: ObjectStore,
  draft: ManifestDraft,
  files: Record<string, Uint8Array>,
  opts: { reason: string; now: number; expectedPrevious?: string | null; canary?: { share: number }; onProgress?: (done: number, total: number) => void },
): Promise<PublishResult> {
  // The pointer as it was when this publish began: the swap succeeds only if nobody moved it
  // since, so of two publishers that start from the same CURRENT exactly one wins.
  const start = await readPointerState(store);
  const names = Object.keys(files).sort();
  const table: Manifest['files'] = {};
  let bytes = 0;
  let done = 0;
  for (const name of names) {
    const body = files[name]!;
    table[name] = { sha256: await sha256Hex(body), bytes: body.byteLength };
    await store.put(artifactKey(draft.version, name), body, { contentType: name.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
    bytes += body.byteLength;
    opts.onProgress?.(++done, names.length + 1);
  }
  const manifest: Manifest = { schema: 'manifest/v1', ...draft, files: table };
  const manifestBytes = utf8(JSON.stringify(manifest));
  const manifestSha256 = await sha256Hex(manifestBytes);
  await store.put(artifactKey(draft.version, 'manifest.json'), manifestBytes, { contentType: 'application/json' });
  opts.onProgress?.(done + 1, names.length + 1);

  // Verify what the store now holds, exactly as the edge will read it.
  const readBack = await readManifest(store, draft.version, manifestSha256);
  for (const name of names) await readVerified(store, readBack, name);

  if (opts.canary) {
    if (start.kind !== 'ok') throw new Error(`a canary needs a valid artifacts/CURRENT to serve beside; ${start.kind === 'none' ? 'none exists' : start.reason}`);
    const { version, manifest_sha256 } = start.pointer;
    const canary: Canary = { version: draft.version, manifest_sha256: manifestSha256, share: opts.canary.share, started_at: opts.now };
    await swapPointer(store, version, manifest_sha256, opts.reason, opts.now, opts.expectedPrevious, start, canary);
    return { version: draft.version, manifestSha256, previous: version, bytes: bytes + manifestBytes.byteLength };
  }
  const swapped = await swapPointer(store, draft.version, manifestSha256, opts.reason, opts.now, opts.expectedPrevious, start);
  return { version: draft.version, manifestSha256, previous: swapped.previous, bytes: bytes + manifestBytes.byteLength };
}

/**
 * Points `CURRENT` at a version whose manifest is already verified, with compare-and-swap on the
 * pointer's ETag: the one in `observed` (read earlier by the caller), else one read now. The new
 * pointer names the versions the old one vouched for as its history (a bad pointer vouches for
 * nothing, and is replaced all the same). Used by publish, rollback and the canary's end. Every
 * swap ends a running canary unless it names one (`canary`).
 * @param expectedPrevious when given, the swap happens only if CURRENT names this version (null:
 *   only if it names none, i.e. is absent or bad)
 */
export async function swapPointer(
  store: ObjectStore,
  version: string,
  manifestSha256: string,
  reason: string,
  now: number,
  expectedPrevious?: string | null,
  observed?: PointerState,
  canary?: Canary,
): Promise<{ previous: string | null }> {
  const current = observed ?? (await readPointerState(store));
  const named = current.kind === 'ok' ? current.pointer : null;
  const previous = named?.version ?? null;
  if (expectedPrevious !== undefined && expectedPrevious !== previous) throw new PublishConflictError(version);
  // A swap that keeps the version (a canary starting or ending beside it) keeps the pointer's
  // `previous`, what `rollback` without arguments goes back to.
  const before = previous === version ? (named?.previous ?? null) : previous;
  const pointer: Pointer = { schema: 'pointer/v1', version, manifest_sha256: manifestSha256, updated_at: now, previous: before, reason, history: nextHistory(named, version), ...(canary ? { canary } : {}) };
  try {
    await store.put(POINTER_KEY, JSON.stringify(pointer), current.kind === 'none' ? { ifNoneMatch: '*', contentType: 'application/json' } : { ifMatch: current.etag, contentType: 'application/json' });
  } catch (e) {
    // The answer to a conditional write is not always the truth about it: Ceph RGW can answer a
    // racing writer 500, and a client's retry of a write that did land then gets 412. The pointer
    // itself decides: if it now holds exactly what we wrote, the swap was ours.
    const after = await readPointerState(store).catch(() => null);
    if (after?.kind === 'ok' && after.pointer.version === version && after.pointer.manifest_sha256 === manifestSha256 && after.pointer.updated_at === now) return { previous };
    if (e instanceof PreconditionFailedError) throw new PublishConflictError(version);
    throw e;
  }
  return { previous };
}
