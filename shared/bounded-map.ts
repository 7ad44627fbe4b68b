/**
 * A Map that holds at most `maxEntries` entries, evicting the oldest first: per-isolate caches
 * (user keys, artifact shards, recent event ids) must not grow with traffic.
 *
 * Eviction is by first insertion (FIFO), not least recent use: a hit costs one lookup and no
 * re-insert, and setting a key already held replaces its value where it stands. Every cache
 * using it holds values that are either fixed for the key or cheap to recompute, so recency
 * would buy little for its cost on the hot path.
 *
 * @example
 * const m = new BoundedMap<string, number>(2);
 * m.set('a', 1).set('b', 2).set('c', 3); // 'a' is evicted
 * m.has('a'); // false
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  /** @throws RangeError unless `maxEntries` is a positive integer */
  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries: must be a positive integer, got ${maxEntries}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Adds or replaces an entry; a new one past the bound evicts the oldest. */
  set(key: K, value: V): this {
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
    return this;
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }
}
