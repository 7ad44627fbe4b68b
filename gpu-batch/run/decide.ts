import type { Manifest } from '../../shared/schemas/artifact.js';

/** What a version learned from: the lake's parts and the catalog's bytes. */
export interface Fingerprint {
  lake: string;
  catalog: string | null;
}

/** Read back from a manifest's `training` record (null for manifests from elsewhere). */
export function fingerprintOf(m: Manifest | null): Fingerprint | null {
  if (!m) return null;
  const lake = m.training.lake_fingerprint;
  const catalog = m.training.catalog_sha256;
  return typeof lake === 'string' ? { lake, catalog: typeof catalog === 'string' ? catalog : null } : null;
}

export interface PublishDecision {
  publish: boolean;
  reason: string;
}

/**
 * Whether this run should publish a new version.
 *
 * The question is "did the inputs change since the batch last published?", not "did this run
 * download anything": a run that died after writing the lake but before publishing leaves new
 * lake parts and no version, and the re-run (which downloads nothing new, every record being a
 * duplicate by then) must still publish them. Comparing fingerprints covers every case:
 * - nothing serving → publish (bootstrap or first real version);
 * - inputs equal to the serving version → nothing to do (also a re-run after a crash between
 *   the pointer swap and the watermark write);
 * - inputs equal to the batch's last published version while an operator rolled back to an
 *   older one → respect the rollback until new data arrives;
 * - otherwise → publish.
 */
export function decidePublish(current: Fingerprint, serving: Manifest | null, lastPublished: Manifest | null, force: boolean): PublishDecision {
  if (force) return { publish: true, reason: 'forced by --force' };
  if (!serving) return { publish: true, reason: 'nothing is serving yet' };
  const same = (f: Fingerprint | null) => f !== null && f.lake === current.lake && f.catalog === current.catalog;
  if (same(fingerprintOf(serving))) return { publish: false, reason: `serving version ${serving.version} already learned from these logs and catalog` };
  if (lastPublished && same(fingerprintOf(lastPublished))) {
    return { publish: false, reason: `version ${lastPublished.version} learned from these inputs and was rolled back; waiting for new logs` };
  }
  return { publish: true, reason: fingerprintOf(serving)?.catalog !== current.catalog && fingerprintOf(serving)?.lake === current.lake ? 'catalog changed' : 'new logs' };
}
