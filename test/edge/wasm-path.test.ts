import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { R2Store } from '../../edge/store/r2-store.js';
import { artifactKey } from '../../shared/artifact/paths.js';
import { quantizeRows } from '../../shared/scoring/quantize.js';
import { meanOfRowsI8, topNI8 } from '../../shared/scoring/top-n.js';
import { rngForImpression } from '../../shared/rng.js';
import { SlateResponse } from '../../shared/schemas/slate.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { harness } from './helpers.js';

const N = 60;
const DIMS = 16;
const rng = rngForImpression('wasm-path-matrix');
const values = Float32Array.from({ length: N * DIMS }, () => rng.next() * 2 - 1);

describe('scorer chain: wasm for users with recent items but no cached candidates', () => {
  let version = '';
  beforeAll(async () => {
    const res = await publishFixture(new R2Store(env.BUCKET), {
      salt: env.USER_SALT,
      users: { cached: ['item-1', 'item-2', 'item-3', 'item-4'] },
      matrix: { dims: DIMS, values },
      surfaces: { exact: { strategy: { name: 'epsilon-greedy', epsilon: 0 }, k_default: 8, k_max: 10 } },
    });
    version = res.version;
  });

  it('answers with source "wasm" and the reference ranking of the recent items\' mean (before exploration)', async () => {
    const h = harness();
    const recent = ['item-5', 'item-17', 'item-42'];
    const exclude = ['item-9'];
    const r = await h.json('/v1/slate', { user_id: 'newcomer', surface: 'exact', k: 8, context: { recent_item_ids: recent, exclude_item_ids: exclude } });
    expect(r.status).toBe(200);
    const s = SlateResponse.parse(await r.json());
    expect(s.source).toBe('wasm');
    const q = quantizeRows(values, DIMS);
    const rows = recent.map((id) => Number(id.slice(5)));
    const query = meanOfRowsI8(q.q, q.scale, DIMS, rows);
    const ref = topNI8(q.q, q.scale, DIMS, query, 8, [...rows, 9]);
    expect(s.items.map((i) => i.item_id)).toEqual(Array.from(ref.indices, (i) => `item-${i}`));
    for (const [i, it] of s.items.entries()) expect(it.score).toBeCloseTo(ref.scores[i]!, 5);
  });

  it('cached users still come from the cache; users with no usable recent items fall to popularity', async () => {
    const h = harness();
    const cached = SlateResponse.parse(await (await h.json('/v1/slate', { user_id: 'cached', context: { recent_item_ids: ['item-5'] } })).json());
    expect(cached.source).toBe('cache');
    const unknown = SlateResponse.parse(await (await h.json('/v1/slate', { user_id: 'x', context: { recent_item_ids: ['not-an-item'] } })).json());
    expect(unknown.source).toBe('popularity');
  });

  it('a tampered matrix is refused by its checksum and the request falls through (no 5xx)', async () => {
    const h = harness({ ARTIFACT_TTL_S: '0.001' });
    expect((await h.call('/healthz').then((r) => r.json())) as { version: string }).toMatchObject({ version });
    const store = new R2Store(env.BUCKET);
    const bad = await publishFixture(store, { salt: env.USER_SALT, matrix: { dims: DIMS, values }, suffix: 'badbad' });
    const bytes = new Uint8Array((await (await env.BUCKET.get(artifactKey(bad.version, 'items.i8')))!.arrayBuffer()));
    bytes[0] = bytes[0]! ^ 0x55;
    await env.BUCKET.put(artifactKey(bad.version, 'items.i8'), bytes);
    await h.call('/healthz');
    await h.call('/healthz');
    const r = await h.json('/v1/slate', { user_id: 'y', context: { recent_item_ids: ['item-5'] } });
    expect(r.status).toBe(200);
    const s = SlateResponse.parse(await r.json());
    expect(s.policy_version).toBe(bad.version);
    expect(s.source).toBe('popularity');
    // The version is refused: the previous good one serves again, wasm path and all.
    const again = SlateResponse.parse(await (await h.json('/v1/slate', { user_id: 'y', context: { recent_item_ids: ['item-5'] } })).json());
    expect(again.policy_version).toBe(version);
    expect(again.source).toBe('wasm');
    expect(((await (await h.call('/healthz')).json()) as { refused_version: string }).refused_version).toBe(bad.version);
  });
});
