import { z } from 'zod';
import { isWellFormedUtf16 } from '../crypto/encoding.js';

/**
 * Ids are hashed and logged as UTF-8, where every lone surrogate becomes U+FFFD: `a\ud800`,
 * `a\udfff` and `a\ufffd` would be one id. Ill-formed UTF-16 is refused instead.
 */
const WELL_FORMED = 'must be well-formed UTF-16 (no lone surrogates)';

/** Item ids: printable, no control characters, bounded so logs and tokens stay small. */
export const ItemId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters')
  .refine(isWellFormedUtf16, WELL_FORMED);

/** Raw user id as the client sends it. Never stored: only its salted hash (`UserKey`) is. */
export const UserId = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters')
  .refine(isWellFormedUtf16, WELL_FORMED);

/** Salted hash of a user id: 32 lowercase hex digits (128 bits of HMAC-SHA-256). */
export const UserKey = z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hex digits');

/** Surface name: where the slate is shown (home, search, cart …). */
export const Surface = z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lowercase [a-z0-9_-]');

/** An artifact version: sortable UTC timestamp plus a short random suffix. */
export const Version = z.string().regex(/^v[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$/, 'must look like v20260101T000000Z-abc123');

/** Lowercase hex SHA-256. */
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

/** Milliseconds since the epoch. */
export const EpochMs = z.number().int().nonnegative();
