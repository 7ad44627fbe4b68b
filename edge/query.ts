import type { AppContext } from './env.js';
import { HttpError } from './errors.js';

/**
 * The query string as one value per key. A repeated key is refused (400 naming it) rather than
 * resolved: `k=5&k=1000` must not mean one thing here and another in a proxy or cache in front.
 * Built with `Object.fromEntries`, so a key such as `__proto__` is an own property the schema
 * then refuses, never a prototype.
 */
export function readQuery(c: AppContext): Record<string, string> {
  const seen = new Map<string, string>();
  for (const [key, value] of new URL(c.req.url).searchParams) {
    if (seen.has(key)) throw new HttpError(400, 'bad_request', `${key}: given more than once`, key);
    seen.set(key, value);
  }
  return Object.fromEntries(seen);
}
