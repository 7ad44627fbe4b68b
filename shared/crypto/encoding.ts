/** Byte/text encodings that behave the same in Workers, browsers and Node. */

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function utf8(s: string): Uint8Array {
  return enc.encode(s);
}

/** @throws TypeError on bytes that are not valid UTF-8 */
export function fromUtf8(b: Uint8Array): string {
  return dec.decode(b);
}

/**
 * Length in bytes of the string's UTF-8 encoding (what `TextEncoder` would produce: a lone
 * surrogate becomes U+FFFD, 3 bytes), counted without encoding it.
 */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export function toHex(b: ArrayBuffer | Uint8Array): string {
  const u = b instanceof Uint8Array ? b : new Uint8Array(b);
  let s = '';
  for (let i = 0; i < u.length; i++) s += u[i]!.toString(16).padStart(2, '0');
  return s;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Unpadded base64url (RFC 4648 §5). Encoded directly from a table: it runs on every slate (the
 * token), where a binary string through `btoa` and three regex replaces was a visible cost.
 */
export function toBase64Url(b: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    s += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]! + B64URL[(n >>> 6) & 63]! + B64URL[n & 63]!;
  }
  if (i + 1 === b.length) {
    const n = b[i]! << 16;
    s += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]!;
  } else if (i + 2 === b.length) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8);
    s += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]! + B64URL[(n >>> 6) & 63]!;
  }
  return s;
}

/**
 * @returns the bytes, or null when the text is not canonical unpadded base64url. Canonical means
 *   it is exactly what `toBase64Url` makes of the bytes: decoders ignore the unused low bits of
 *   the last character, so without this check `…M` and `…N` would both decode to the same MAC
 *   and a token would have several accepted spellings.
 */
export function fromBase64Url(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return null;
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return toBase64Url(out) === s ? out : null;
}

/** Whether a string is well-formed UTF-16: every surrogate is half of a pair. */
export function isWellFormedUtf16(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}
