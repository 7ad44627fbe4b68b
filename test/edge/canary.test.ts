import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { R2Store } from '../../edge/store/r2-store.js';
import { inCanary } from '../../shared/artifact/canary.js';
import { userKey } from '../../shared/crypto/hmac.js';
import { rngForImpression } from '../../shared/rng.js';
import { SlateResponse } from '../../shared/schemas/slate.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { harness } from './helpers.js';

const ITEMS = 40;
const DIMS = 8;
const rng = rngForImpression('canary-matrix');
const values = Float32Array.from({ length: ITEMS * DIMS }, () => rng.next() * 2 - 1);

/**
 * A canary serves beside CURRENT's version: the users in its hashed share get its version end to
 * end (chain, wasm step, exploration, the log record), everyone else the serving one.
 */
describe('canary at the edge', () => {
  const store = new R2Store(env.BUCKET);
  const publish = (suffix: string, i: number, canary?: { share: number }) =>
    publishFixture(store, { salt: env.USER_SALT, items: ITEMS, shards: 2, matrix: { dims: DIMS, values }, suffix, now: Date.now() + i * 1000, ...(canary ? { canary } : {}) });

  it('serves its share of users (4σ), each user always the same version, logged as served, both versions ranking in wasm', async () => {
    const base = await publish('ca0001', 0);
    const canary = await publish('ca0002', 1, { share: 0.3 });
    const h = harness({ ARTIFACT_TTL_S: '0.001' });
    const health = (await (await h.call('/healthz')).json()) as { version: string; canary: { version: string; share: number } | null };
    expect(health).toMatchObject({ version: base.version, canary: { version: canary.version, share: 0.3 } });

    const n = 300;
    let inside = 0;
    for (let i = 0; i < n; i++) {
      const r = await h.json('/v1/slate', { user_id: `u-${i}`, k: 5, context: { recent_item_ids: [`item-${i % ITEMS}`] } });
      expect(r.status).toBe(200);
      const s = SlateResponse.parse(await r.json());
      const want = inCanary(await userKey(env.USER_SALT, `u-${i}`), { version: canary.version, share: 0.3 }) ? canary.version : base.version;
      expect(s.policy_version).toBe(want);
      expect(s.source).toBe('wasm');
      if (want === canary.version) inside++;
    }
    expect(Math.abs(inside - n * 0.3)).toBeLessThan(4 * Math.sqrt(n * 0.3 * 0.7));
    const logged = h.sent.filter((x) => x.kind === 'impression').map((x) => x.record.policy_version);
    expect(logged.filter((v) => v === canary.version)).toHaveLength(inside);
    expect(logged.filter((v) => v === base.version)).toHaveLength(n - inside);
    const again = await Promise.all(Array.from({ length: 20 }, async (_, i) => SlateResponse.parse(await (await h.call(`/v1/slate?user_id=u-${i}`)).json()).policy_version));
    expect(again).toEqual(h.sent.slice(0, 20).map((x) => x.record.policy_version));

  });

  it('a canary that fails verification serves nobody; the next swap ends a canary', async () => {
    const base = await publish('cb0001', 0);
    const canary = await publish('cb0002', 1, { share: 0.5 });
    await env.BUCKET.put(`artifacts/${canary.version}/policy.json`, '{"tampered": true}');
    const h = harness({ ARTIFACT_TTL_S: '0.001' });
    const health = (await (await h.call('/healthz')).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ version: base.version, canary: null, refused_version: canary.version });
    for (let i = 0; i < 20; i++) expect(SlateResponse.parse(await (await h.call(`/v1/slate?user_id=v-${i}`)).json()).policy_version).toBe(base.version);

    await publish('cb0003', 2, { share: 0.5 });
    expect(((await (await h.call('/healthz')).json()) as { canary: unknown }).canary).not.toBeNull();
    const next = await publish('cb0004', 3);
    expect((await (await h.call('/healthz')).json()) as Record<string, unknown>).toMatchObject({ version: next.version, canary: null });
  });
});
