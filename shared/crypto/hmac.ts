import { toHex, utf8 } from './encoding.js';

/** Web Crypto (`crypto.subtle`) is a standard global in Workers and Node ≥ 19 alike. */
const keyCache = new Map<string, Promise<CryptoKey>>();

/** An HMAC-SHA-256 key, imported once per secret per isolate. */
export function hmacKey(secret: string): Promise<CryptoKey> {
  if (secret.length < 16) throw new RangeError('HMAC secret must be at least 16 characters');
  let k = keyCache.get(secret);
  if (!k) {
    k = crypto.subtle.importKey('raw', utf8(secret) as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keyCache.set(secret, k);
  }
  return k;
}

/** @returns HMAC-SHA-256(secret, message) */
export async function hmacSign(secret: string, message: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), message as BufferSource));
}

/** Constant-time check of an HMAC (Web Crypto's verify compares in constant time). */
export async function hmacVerify(secret: string, message: Uint8Array, mac: Uint8Array): Promise<boolean> {
  return crypto.subtle.verify('HMAC', await hmacKey(secret), mac as BufferSource, message as BufferSource);
}

/** @returns lowercase hex SHA-256 of the bytes */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
}

/**
 * The only form in which a user id is ever stored: the first 128 bits of
 * HMAC-SHA-256(salt, user_id), as hex. Keyed (not a plain hash) so nobody without the salt can
 * test guesses of ids against the logs.
 */
export async function userKey(salt: string, userId: string): Promise<string> {
  return toHex(await hmacSign(salt, utf8(`user:${userId}`))).slice(0, 32);
}
