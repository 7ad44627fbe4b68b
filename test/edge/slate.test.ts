import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { R2Store } from '../../edge/store/r2-store.js';
import { verifyToken } from '../../shared/crypto/token.js';
import { userKey } from '../../shared/crypto/hmac.js';
import { SlateResponse } from '../../shared/schemas/slate.js';
import { ImpressionRecord } from '../../shared/schemas/impression.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { harness } from './helpers.js';

const aliceItems = Array.from({ length: 30 }, (_, i) => `item-${(i * 7) % 60}`);

describe('GET/POST /v1/slate inside workerd', () => {
  let version = '';
  beforeAll(async () => {
    const res = await publishFixture(new R2Store(env.BUCKET), { salt: env.USER_SALT, users: { alice: aliceItems } });
    version = res.version;
  });

  it('serves a cached slate with propensities, a valid token, and queues the impression', async () => {
    const h = harness();
    const r = await h.call('/v1/slate?user_id=alice&k=5');
    expect(r.status).toBe(200);
    const body = SlateResponse.parse(await r.json());
    expect(body.source).toBe('cache');
    expect(body.policy_version).toBe(version);
    expect(body.items).toHaveLength(5);
    expect(new Set(body.items.map((i) => i.item_id)).size).toBe(5);
    for (const it of body.items) expect(it.explored ? true : aliceItems.includes(it.item_id)).toBe(true);
    const t = await verifyToken(env.TOKEN_SECRET, body.token, Math.floor(Date.now() / 1000));
    expect(t.ok && t.payload.it).toEqual(body.items.map((i) => i.item_id));
    expect(h.sent).toHaveLength(1);
    const rec = ImpressionRecord.parse(h.sent[0]!.record);
    expect(rec.impression_id).toBe(body.impression_id);
    expect(rec.user_key).toBe(await userKey(env.USER_SALT, 'alice'));
    expect(JSON.stringify(h.sent)).not.toContain('alice');
  });

  it('falls back to popularity for an unknown user', async () => {
    const h = harness();
    const body = SlateResponse.parse(await (await h.call('/v1/slate?user_id=nobody')).json());
    expect(body.source).toBe('popularity');
    expect(body.items).toHaveLength(5);
  });

  it('POST with exclusions never shows excluded items, and propensities are over what remains', async () => {
    const h = harness();
    const exclude = aliceItems.slice(0, 10);
    for (let n = 0; n < 20; n++) {
      const r = await h.json('/v1/slate', { user_id: 'alice', k: 10, context: { exclude_item_ids: exclude, recent_item_ids: ['item-3'] } });
      expect(r.status).toBe(200);
      const body = SlateResponse.parse(await r.json());
      for (const it of body.items) expect(exclude).not.toContain(it.item_id);
      const firstExploit = body.items.find((i) => !i.explored)!;
      expect(firstExploit.item_id).toBe(aliceItems[10 + body.items.filter((i) => !i.explored).indexOf(firstExploit)]);
    }
  });

  it('uses the surface strategy (cart: epsilon 0 → pure ranking, propensity 1)', async () => {
    const h = harness();
    const body = SlateResponse.parse(await (await h.call('/v1/slate?user_id=alice&surface=cart')).json());
    expect(body.items.map((i) => i.item_id)).toEqual(aliceItems.slice(0, 3));
    expect(body.items.every((i) => i.propensity === 1 && !i.explored)).toBe(true);
  });

  it('answers /healthz with the serving version and its age', async () => {
    const h = harness();
    const r = await h.call('/healthz');
    expect(r.status).toBe(200);
    const j = (await r.json()) as { status: string; version: string; age_s: number };
    expect(j.version).toBe(version);
    expect(j.age_s).toBeGreaterThanOrEqual(0);
  });
});
