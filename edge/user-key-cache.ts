import { BoundedMap } from '../shared/bounded-map.js';
import { userKey } from '../shared/crypto/hmac.js';

/** Enough for the active users of one isolate; each entry is ~150 bytes. */
const MAX_ENTRIES = 20_000;

/**
 * Per-isolate memo of `userKey(salt, user_id)`: returning users skip one HMAC per slate. Bounded,
 * oldest-first eviction; keyed by salt too, so a rotated salt never answers with an old key.
 * It holds nothing the isolate does not already see (raw ids arrive in every request).
 */
export class UserKeyCache {
  private readonly keys: BoundedMap<string, string>;

  constructor(maxEntries = MAX_ENTRIES) {
    this.keys = new BoundedMap(maxEntries);
  }

  /** Entries held now (at most the bound). */
  get size(): number {
    return this.keys.size;
  }

  async get(salt: string, userId: string): Promise<string> {
    const id = `${salt}\u0000${userId}`;
    const hit = this.keys.get(id);
    if (hit !== undefined) return hit;
    const key = await userKey(salt, userId);
    this.keys.set(id, key);
    return key;
  }
}
