import { artifactKey } from '../../shared/artifact/paths.js';
import { firstVerified, pointerChain } from '../../shared/artifact/history.js';
import { swapPointer } from '../../shared/artifact/publish.js';
import { readManifest, readPointer, readVerified } from '../../shared/artifact/verify.js';
import { sha256Hex } from '../../shared/crypto/hmac.js';
import type { Manifest } from '../../shared/schemas/artifact.js';
import { Version } from '../../shared/schemas/common.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import { UsageError } from '../config/errors.js';

/**
 * Points `CURRENT` back at an earlier version, after verifying every file of it exactly as the
 * edge would. Without `target`, the most recent version CURRENT named before (its history) that
 * verifies — so a rollback off a corrupt version skips any other corrupt one. Compare-and-swap,
 * like publish.
 * @throws UsageError when there is nothing to roll back to or the version is unknown
 */
export async function rollback(store: ObjectStore, now: number, target?: string): Promise<{ from: string; to: string }> {
  const current = await readPointer(store);
  if (!current) throw new UsageError('nothing is published yet: nothing to roll back');
  const from = current.pointer.version;
  if (target !== undefined) {
    if (!Version.safeParse(target).success) throw new UsageError(`not a version name: ${JSON.stringify(target)}`);
    if (target === from) throw new UsageError(`${target} is already serving`);
    const o = await store.get(artifactKey(target, 'manifest.json'));
    if (!o) throw new UsageError(`version ${target} does not exist (or was garbage-collected)`);
    const sha = await sha256Hex(o.body);
    await verifyAll(store, await readManifest(store, target, sha));
    await swapPointer(store, target, sha, `rollback to ${target}`, now, from);
    return { from, to: target };
  }
  // A pointer written before histories existed names only its predecessor, without a checksum.
  if (!current.pointer.history && current.pointer.previous) return rollback(store, now, current.pointer.previous);
  // The versions CURRENT named before, most recent first; the first that verifies is the one
  // `previous` named when it is sound, as before histories existed (and a second rollback undoes
  // the first, as it did then).
  const before = pointerChain(current.pointer).slice(1);
  const walk = await firstVerified(before, async (e) => verifyAll(store, await readManifest(store, e.version, e.manifest_sha256)));
  if (!walk.found) {
    const tried = walk.refused.map((r) => `${r.version} (${r.reason})`).join('; ');
    throw new UsageError(`no version CURRENT named before ${from} verifies${tried ? `: ${tried}` : ''}; name one: slatecast rollback <version>`);
  }
  await swapPointer(store, walk.found.entry.version, walk.found.entry.manifest_sha256, 'rollback', now, from);
  return { from, to: walk.found.entry.version };
}

/** Reads every file of a version against its manifest, as the edge would. */
async function verifyAll(store: ObjectStore, manifest: Manifest): Promise<void> {
  for (const file of Object.keys(manifest.files)) await readVerified(store, manifest, file);
}
