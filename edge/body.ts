import { fromUtf8 } from '../shared/crypto/encoding.js';
import type { AppContext } from './env.js';
import { HttpError } from './errors.js';

/** Largest JSON body a route accepts. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads a JSON body: 415 unless `application/json`, 413 over `MAX_BODY_BYTES` (counted while
 * streaming, so a lying Content-Length cannot get more through), 400 on bad UTF-8 or JSON or a
 * body that is not a JSON object.
 */
export async function readJson(c: AppContext): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new HttpError(415, 'unsupported_media_type', 'content-type must be application/json', 'content-type');
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const body = c.req.raw.body;
  if (!body) throw new HttpError(400, 'bad_request', 'body: a JSON object is required', 'body');
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let off = 0;
  for (const ch of chunks) {
    bytes.set(ch, off);
    off += ch.byteLength;
  }
  let text: string;
  try {
    text = fromUtf8(bytes);
  } catch {
    throw new HttpError(400, 'bad_request', 'body: not valid UTF-8', 'body');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad_request', 'body: not valid JSON', 'body');
  }
  // Every route takes an object; say so here rather than let each schema describe `[]` or `42`.
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new HttpError(400, 'bad_request', 'body: must be a JSON object', 'body');
  return json;
}

function tooLarge(): HttpError {
  return new HttpError(413, 'payload_too_large', `body: larger than ${MAX_BODY_BYTES} bytes`, 'body');
}
