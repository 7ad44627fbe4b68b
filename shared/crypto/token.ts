import { z } from 'zod';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from './encoding.js';
import { hmacSign, hmacVerify } from './hmac.js';

/** What an impression token vouches for. Short field names keep the token small. */
export const TokenPayload = z.object({
  /** impression id */
  iid: z.string(),
  /** user key (salted hash) */
  uk: z.string(),
  /** item ids in slate order: an event's item must be one of them, its position is its index */
  it: z.array(z.string()),
  /** policy version that served the slate */
  pv: z.string(),
  /** expiry, epoch seconds */
  exp: z.number().int(),
  /** 1 when the user id was vouched for by a signed user assertion, so `uk` may key per-user limits */
  va: z.literal(1).optional(),
});
export type TokenPayload = z.infer<typeof TokenPayload>;

/**
 * `base64url(payload JSON) "." base64url(HMAC-SHA-256(secret, "imp1." + payload part))`.
 * The domain prefix keeps these MACs from ever being valid for another purpose.
 */
export async function signToken(secret: string, payload: TokenPayload): Promise<string> {
  const body = toBase64Url(utf8(JSON.stringify(payload)));
  const mac = await hmacSign(secret, utf8(`imp1.${body}`));
  return `${body}.${toBase64Url(mac)}`;
}

export type TokenCheck = { ok: true; payload: TokenPayload } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

/**
 * Verifies a token's MAC in constant time, then its expiry.
 * @param nowSec current time, epoch seconds
 */
export async function verifyToken(secret: string, token: string, nowSec: number): Promise<TokenCheck> {
  const parts = token.split('.');
  if (parts.length !== 2) return { ok: false, reason: 'malformed' };
  const mac = fromBase64Url(parts[1]!);
  const bodyBytes = fromBase64Url(parts[0]!);
  if (!mac || !bodyBytes || mac.length !== 32) return { ok: false, reason: 'malformed' };
  if (!(await hmacVerify(secret, utf8(`imp1.${parts[0]}`), mac))) return { ok: false, reason: 'forged' };
  let payload: TokenPayload;
  try {
    payload = TokenPayload.parse(JSON.parse(fromUtf8(bodyBytes)));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (payload.exp < nowSec) return { ok: false, reason: 'expired' };
  return { ok: true, payload };
}
