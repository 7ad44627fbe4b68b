import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An error the client can act on. Rendered by `app.onError` as
 * `{ "error": { "code", "message", "field"? } }` with its status; nothing else reaches clients.
 */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Turns the first zod issue into a 400 naming the field. */
export function badRequest(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; keys?: string[] }>): HttpError {
  const i = issues[0];
  if (!i) return new HttpError(400, 'bad_request', 'invalid request');
  let path = i.path.map(String).join('.');
  if (i.code === 'unrecognized_keys' && i.keys?.length) path = [path, i.keys[0]].filter(Boolean).join('.');
  const field = path || undefined;
  return new HttpError(400, 'bad_request', field ? `${field}: ${i.message}` : i.message, field);
}
