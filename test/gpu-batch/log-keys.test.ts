import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logKey } from '../../shared/artifact/paths.js';
import { keyTime, selectSettled } from '../../gpu-batch/ingest/log-keys.js';

const T = Date.parse('2026-03-01T10:00:00Z');
const key = (ts: number, hex = 'ab12') => logKey('impressions', ts, `${ts}-${hex}`);
const obj = (k: string) => ({ key: k, size: 1, etag: 'e' });

describe('keyTime', () => {
  it.each([
    [key(T), T],
    ['logs/events/dt=2026-03-01/hr=10/not-a-batch-id.ndjson', T + 3_600_000 - 1],
    ['logs/events/dt=2026-03-01/hr=10/1772359200000-ff.ndjson.gz', 1772359200000],
    ['logs/events/elsewhere.ndjson', null],
  ])('%s → %s', (k, t) => expect(keyTime(k)).toBe(t));
});

describe('selectSettled', () => {
  it('takes the settled prefix and stops at the first unsettled key', () => {
    const keys = [key(T), key(T + 1000), key(T + 5000), key(T + 6000)];
    const s = selectSettled(keys.map(obj), '', T + 1000);
    expect(s.take.map((o) => o.key)).toEqual(keys.slice(0, 2));
    expect(s.waiting).toBe(2);
    expect(s.watermark).toBe(keys[1]);
  });

  it('keeps the watermark when nothing is taken, and ignores keys at or before it', () => {
    const keys = [key(T), key(T + 1000)];
    expect(selectSettled(keys.map(obj), keys[1]!, T + 10_000)).toEqual({ take: [], waiting: 0, watermark: keys[1] });
    expect(selectSettled([obj(key(T + 9000))], keys[1]!, T)).toEqual({ take: [], waiting: 1, watermark: keys[1] });
  });

  it('never passes an unsettled key, and the new watermark covers exactly what was taken (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 3 * 3_600_000 }), { maxLength: 40 }), fc.integer({ min: 0, max: 3 * 3_600_000 }), (offsets, cut) => {
        const listed = offsets.map((o) => obj(key(T + o, o.toString(16))));
        const s = selectSettled(listed, '', T + cut);
        const sorted = listed.map((o) => o.key).sort();
        expect(s.take.map((o) => o.key)).toEqual(sorted.slice(0, s.take.length));
        for (const o of s.take) expect(keyTime(o.key)!).toBeLessThanOrEqual(T + cut);
        if (s.waiting > 0) expect(keyTime(sorted[s.take.length]!)!).toBeGreaterThan(T + cut);
        for (const k of sorted) expect(k <= s.watermark).toBe(s.take.some((o) => o.key === k));
      }),
    );
  });
});
