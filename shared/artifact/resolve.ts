import type { Manifest, PointerEntry } from '../schemas/artifact.js';
import type { ObjectStore } from '../store/object-store.js';
import { firstVerified, pointerChain, type Refusal } from './history.js';
import { readManifest, readPointerState, readVerified, type PointerState } from './verify.js';

/** What CURRENT names, and what a reader that walks its history would serve. */
export interface ServingResolution {
  pointer: PointerState;
  /** The newest version CURRENT vouches for whose manifest and policy verify; null when none. */
  serving: { entry: PointerEntry; manifest: Manifest } | null;
  /** Newer versions passed over on the way, newest first. */
  refused: Refusal[];
}

/**
 * Resolves the serving version the way the edge does: CURRENT's version, else the newest one in
 * its history whose manifest (against the pointer's checksum) and `policy.json` verify.
 * @throws only when the store fails
 */
export async function resolveServing(store: ObjectStore): Promise<ServingResolution> {
  const pointer = await readPointerState(store);
  if (pointer.kind !== 'ok') return { pointer, serving: null, refused: [] };
  const walk = await firstVerified(pointerChain(pointer.pointer), async (e) => {
    const manifest = await readManifest(store, e.version, e.manifest_sha256);
    await readVerified(store, manifest, 'policy.json');
    return manifest;
  });
  return { pointer, serving: walk.found ? { entry: walk.found.entry, manifest: walk.found.value } : null, refused: walk.refused };
}

/**
 * Why CURRENT does not name a servable version, in one line, or null when it does.
 * @example "artifacts/CURRENT names v…-c, which fails verification: artifact v…-c: manifest.json sha256 …"
 */
export function pointerProblem(r: ServingResolution): string | null {
  if (r.pointer.kind === 'bad') return r.pointer.reason;
  const head = r.pointer.kind === 'ok' ? r.pointer.pointer.version : null;
  const refusal = r.refused.find((x) => x.version === head);
  return refusal ? `artifacts/CURRENT names ${head}, which fails verification: ${refusal.reason}` : null;
}
