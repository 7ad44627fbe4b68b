import { artifactKey } from '../../shared/artifact/paths.js';
import { swapPointer } from '../../shared/artifact/publish.js';
import { readManifest, readPointer, readVerified } from '../../shared/artifact/verify.js';
import { sha256Hex } from '../../shared/crypto/hmac.js';
import { Version } from '../../shared/schemas/common.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import { UsageError } from '../config/errors.js';

/**
 * Points `CURRENT` back at an earlier version (default: the one the current pointer replaced),
 * after verifying every file of it exactly as the edge would. Compare-and-swap, like publish.
 * @throws UsageError when there is nothing to roll back to or the version is unknown
 */
export async function rollback(store: ObjectStore, now: number, target?: string): Promise<{ from: string; to: string }> {
  const current = await readPointer(store);
  if (!current) throw new UsageError('nothing is published yet: nothing to roll back');
  const to = target ?? current.pointer.previous;
  if (!to) throw new UsageError(`version ${current.pointer.version} has no previous version; name one: slatecast rollback <version>`);
  if (!Version.safeParse(to).success) throw new UsageError(`not a version name: ${JSON.stringify(to)}`);
  if (to === current.pointer.version) throw new UsageError(`${to} is already serving`);
  const o = await store.get(artifactKey(to, 'manifest.json'));
  if (!o) throw new UsageError(`version ${to} does not exist (or was garbage-collected)`);
  const sha = await sha256Hex(o.body);
  const manifest = await readManifest(store, to, sha);
  for (const file of Object.keys(manifest.files)) await readVerified(store, manifest, file);
  await swapPointer(store, to, sha, target ? `rollback to ${to}` : 'rollback', now, current.pointer.version);
  return { from: current.pointer.version, to };
}
