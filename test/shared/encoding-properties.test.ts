import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url, utf8Length } from '../../shared/crypto/encoding.js';

/** The obvious definition, through the platform's btoa. */
function referenceBase64Url(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

describe('encoding properties', () => {
  it('toBase64Url equals base64url through btoa, and round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const s = toBase64Url(b);
        expect(s).toBe(referenceBase64Url(b));
        expect(fromBase64Url(s)).toEqual(b);
      }),
      { numRuns: 2000 },
    );
  });

  it('utf8Length equals the TextEncoder byte count, lone surrogates included', () => {
    const enc = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map((c) => String.fromCharCode(c)), maxLength: 20 }), (a, b) => {
        const s = a + b + a;
        expect(utf8Length(s)).toBe(enc.encode(s).length);
      }),
      { numRuns: 2000 },
    );
  });
});
