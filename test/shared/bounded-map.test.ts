import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../shared/bounded-map.js';

type Op = { kind: 'set'; key: number; value: number } | { kind: 'delete'; key: number } | { kind: 'get'; key: number };

const KEYS = 12;
const key = fc.integer({ min: 0, max: KEYS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.integer() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
);

/** The reference: entries in first-insertion order; a new entry past the bound drops the first. */
function modelApply(model: Array<[number, number]>, o: Op, max: number): void {
  const at = model.findIndex(([k]) => k === o.key);
  if (o.kind === 'delete' && at >= 0) model.splice(at, 1);
  if (o.kind !== 'set') return;
  if (at >= 0) model[at] = [o.key, o.value];
  else {
    model.push([o.key, o.value]);
    if (model.length > max) model.shift();
  }
}

describe('BoundedMap', () => {
  it('agrees with a reference model on every get, has and size, and never exceeds its bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: KEYS + 2 }), fc.array(op, { maxLength: 80 }), (max, ops) => {
        const m = new BoundedMap<number, number>(max);
        const model: Array<[number, number]> = [];
        for (const o of ops) {
          if (o.kind === 'set') m.set(o.key, o.value);
          if (o.kind === 'delete') expect(m.delete(o.key)).toBe(model.some(([k]) => k === o.key));
          if (o.kind === 'get') expect(m.get(o.key)).toBe(model.find(([k]) => k === o.key)?.[1]);
          modelApply(model, o, max);
          expect(m.size).toBe(model.length);
          expect(m.size).toBeLessThanOrEqual(max);
          for (let k = 0; k < KEYS; k++) {
            expect(m.has(k)).toBe(model.some(([mk]) => mk === k));
            expect(m.get(k)).toBe(model.find(([mk]) => mk === k)?.[1]);
          }
        }
      }),
    );
  });

  it('keeps exactly the last maxEntries distinct keys inserted', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.uniqueArray(fc.string(), { maxLength: 60 }), (max, keys) => {
        const m = new BoundedMap<string, number>(max);
        keys.forEach((k, i) => m.set(k, i));
        const kept = keys.slice(-max);
        expect(m.size).toBe(kept.length);
        for (const [i, k] of keys.entries()) expect(m.get(k)).toBe(kept.includes(k) ? i : undefined);
      }),
    );
  });

  it('replacing a held value keeps its place: the first inserted is still evicted first', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1).set('b', 2).set('a', 3).set('c', 4);
    expect([m.has('a'), m.get('b'), m.get('c')]).toEqual([false, 2, 4]);
  });

  it.each([0, -1, 1.5, NaN, Infinity])('refuses maxEntries %s', (max) => {
    expect(() => new BoundedMap(max)).toThrow(new RangeError(`maxEntries: must be a positive integer, got ${max}`));
  });
});
