import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { R2Store } from '../../edge/store/r2-store.js';
import { withBaseColumn } from '../../gpu-batch/publish/item-matrix.js';
import { recentQuery } from '../../shared/scoring/item-matrix.js';
import { dequantizeRows, quantizeRows } from '../../shared/scoring/quantize.js';
import { meanOfRowsI8, topNI8 } from '../../shared/scoring/top-n.js';
import { rngForImpression } from '../../shared/rng.js';
import { SlateResponse } from '../../shared/schemas/slate.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { harness } from './helpers.js';

const N = 60;
const DIMS = 8;
const rng = rngForImpression('wasm-recent-matrix');
const vectors = Float32Array.from({ length: N * DIMS }, () => (rng.next() * 2 - 1) * 0.5);
// Base appeal falls with the row: item-0 is the most appealing.
const base = Float64Array.from({ length: N }, (_, i) => -1 - i / 10);
const m = withBaseColumn(vectors, DIMS, base);
const CACHED = ['item-20', 'item-21', 'item-22', 'item-23', 'item-24', 'item-25', 'item-26', 'item-27', 'item-28', 'item-29'];

async function slate(h: ReturnType<typeof harness>, user: string, recent: string[], surface: string) {
  const r = await h.json('/v1/slate', { user_id: user, surface, k: 8, context: { recent_item_ids: recent } });
  expect(r.status).toBe(200);
  return SlateResponse.parse(await r.json());
}

describe('wasm step with a base-appeal column: base appeal + weight · taste of the recent items', () => {
  let weighted = '';
  beforeAll(async () => {
    const surfaces = { exact: { strategy: { name: 'epsilon-greedy' as const, epsilon: 0 }, k_default: 8, k_max: 10 } };
    const res = await publishFixture(new R2Store(env.BUCKET), { salt: env.USER_SALT, users: { known: CACHED }, matrix: { dims: m.dims, values: m.vectors, recent: { weight: 2, cache_weight: 2, base_scale: m.baseScale } }, surfaces });
    weighted = res.version;
  });

  it('ranks as the reference kernel does on the query recentQuery builds, and keeps the recent items rankable', async () => {
    const h = harness();
    const recent = ['item-3', 'item-40'];
    const s = await slate(h, 'newcomer', recent, 'exact');
    expect(s.policy_version).toBe(weighted);
    expect(s.source).toBe('wasm');
    const q = quantizeRows(m.vectors, m.dims);
    const rows = recent.map((id) => Number(id.slice(5)));
    const query = recentQuery(meanOfRowsI8(q.q, q.scale, m.dims, rows), { weight: 2, cache_weight: 2, base_scale: m.baseScale });
    const ref = topNI8(q.q, q.scale, m.dims, query, 8, []);
    expect(s.items.map((i) => i.item_id)).toEqual(Array.from(ref.indices, (i) => `item-${i}`));
    // Scores are base + 2·⟨mean, v⟩ up to int8 rounding.
    for (const it of s.items) {
      const i = Number(it.item_id.slice(5));
      let dot = 0;
      for (let j = 0; j < DIMS; j++) dot += ((vectors[rows[0]! * DIMS + j]! + vectors[rows[1]! * DIMS + j]!) / 2) * vectors[i * DIMS + j]!;
      expect(Math.abs(it.score! - (base[i]! + 2 * dot))).toBeLessThan(0.05);
    }
  });

  it('re-ranks a known user\'s cached candidates by cached score + weight · ⟨mean of the recent rows, v_i⟩', async () => {
    const h = harness();
    const s = await slate(h, 'known', ['item-3', 'item-40'], 'exact');
    expect(s.source).toBe('cache');
    const deq = dequantizeRows(quantizeRows(m.vectors, m.dims), m.dims);
    const row = (i: number) => deq.subarray(i * m.dims, (i + 1) * m.dims);
    const mean = Array.from({ length: DIMS }, (_, j) => (row(3)[j]! + row(40)[j]!) / 2);
    // The fixture caches scores 1 − i/10 in list order.
    const expected = CACHED.map((id, t) => {
      const v = row(Number(id.slice(5)));
      return { id, score: 1 - t / CACHED.length + 2 * mean.reduce((a, x, j) => a + x * v[j]!, 0) };
    }).sort((a, b) => b.score - a.score);
    expect(s.items.map((i) => i.item_id)).toEqual(expected.slice(0, 8).map((e) => e.id));
    for (const [p, it] of s.items.entries()) expect(it.score!).toBeCloseTo(expected[p]!.score, 4);
    // The same user without recent items gets the cached order.
    const plain = SlateResponse.parse(await (await h.json('/v1/slate', { user_id: 'known', surface: 'exact', k: 8 })).json());
    expect(plain.items.map((i) => i.item_id)).toEqual(CACHED.slice(0, 8));
  });
});

describe('weight 0: the wasm step ranks by base appeal alone', () => {
  beforeAll(async () => {
    const surfaces = { exact: { strategy: { name: 'epsilon-greedy' as const, epsilon: 0 }, k_default: 8, k_max: 10 } };
    await publishFixture(new R2Store(env.BUCKET), { salt: env.USER_SALT, suffix: 'a0a0a0', now: Date.now() + 1000, matrix: { dims: m.dims, values: m.vectors, recent: { weight: 0, cache_weight: 0, base_scale: m.baseScale } }, surfaces });
  });

  it('serves the most appealing items first whatever the recent items, the recent one included', async () => {
    const h = harness({ ARTIFACT_TTL_S: '0.001' });
    await h.call('/healthz');
    const s = await slate(h, 'another', ['item-2'], 'exact');
    expect(s.source).toBe('wasm');
    expect(s.items.map((i) => i.item_id)).toEqual(Array.from({ length: 8 }, (_, i) => `item-${i}`));
  });
});
