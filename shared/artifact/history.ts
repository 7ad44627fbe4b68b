import type { Pointer, PointerEntry } from '../schemas/artifact.js';
import { ArtifactError } from './verify.js';

/** How many earlier versions a pointer names (and garbage collection keeps). */
export const POINTER_HISTORY_KEEP = 5;

/**
 * The versions a pointer vouches for, newest first: the one it names, then its history, each once.
 * @example pointerChain(p)[0].version === p.version
 */
export function pointerChain(p: Pointer): PointerEntry[] {
  const out: PointerEntry[] = [{ version: p.version, manifest_sha256: p.manifest_sha256 }];
  for (const e of p.history ?? []) if (!out.some((o) => o.version === e.version)) out.push(e);
  return out;
}

/**
 * The history a new pointer carries when it replaces `current`: what `current` vouched for, less
 * the version being swapped in, at most `POINTER_HISTORY_KEEP` entries.
 */
export function nextHistory(current: Pointer | null, version: string): PointerEntry[] {
  if (!current) return [];
  return pointerChain(current)
    .filter((e) => e.version !== version)
    .slice(0, POINTER_HISTORY_KEEP);
}

/** A version passed over because it failed verification. */
export interface Refusal {
  version: string;
  reason: string;
}

/**
 * Walks `chain` newest first and returns the first entry `load` accepts. An `ArtifactError`
 * (checksum, schema, missing file: permanent for an immutable version) refuses that entry and
 * moves on; any other error (the store did not answer) is thrown, since an older version is no
 * answer to an outage.
 * @param skip entries not to try (already refused)
 * @returns the first loaded entry (or null when none verifies) and the refusals met on the way
 */
export async function firstVerified<T>(
  chain: readonly PointerEntry[],
  load: (entry: PointerEntry) => Promise<T>,
  skip: (entry: PointerEntry) => boolean = () => false,
): Promise<{ found: { entry: PointerEntry; value: T } | null; refused: Refusal[] }> {
  const refused: Refusal[] = [];
  for (const entry of chain) {
    if (skip(entry)) continue;
    try {
      return { found: { entry, value: await load(entry) }, refused };
    } catch (e) {
      if (!(e instanceof ArtifactError)) throw e;
      refused.push({ version: entry.version, reason: e.message });
    }
  }
  return { found: null, refused };
}
