import { sha256Hex } from '../../shared/crypto/hmac.js';
import { utf8 } from '../../shared/crypto/encoding.js';
import type { LakePart } from '../lake/lake-sync.js';

/**
 * SHA-256 over the sorted `key size` lines of every lake part. Parts are immutable and named by
 * the run that wrote them, and a run only writes a part when it adds records, so the fingerprint
 * changes exactly when the deduplicated data changes.
 */
export async function lakeFingerprint(parts: readonly LakePart[]): Promise<string> {
  const lines = parts.map((p) => `${p.key} ${p.size}`).sort();
  return sha256Hex(utf8(lines.join('\n')));
}
