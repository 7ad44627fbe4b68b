import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { R2Store } from '../../edge/store/r2-store.js';
import { signToken } from '../../shared/crypto/token.js';
import { EventRecord } from '../../shared/schemas/event.js';
import { SlateResponse } from '../../shared/schemas/slate.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { harness } from './helpers.js';

async function slateFor(h: ReturnType<typeof harness>, user = 'bob') {
  return SlateResponse.parse(await (await h.call(`/v1/slate?user_id=${user}&k=5`)).json());
}

describe('POST /v1/events inside workerd', () => {
  beforeAll(async () => {
    await publishFixture(new R2Store(env.BUCKET), { salt: env.USER_SALT, users: { bob: Array.from({ length: 20 }, (_, i) => `item-${i}`) } });
  });

  it('accepts a click on a shown item (202), logs it with its position, and accepts a duplicate once', async () => {
    const h = harness();
    const s = await slateFor(h);
    const item = s.items[2]!.item_id;
    const r = await h.json('/v1/events', { token: s.token, item_id: item, type: 'click' });
    expect(r.status).toBe(202);
    expect(await r.json()).toMatchObject({ accepted: true, duplicate: false, event_id: `${s.impression_id}:${item}:click` });
    const again = await h.json('/v1/events', { token: s.token, item_id: item, type: 'click' });
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ duplicate: true });
    const events = h.sent.filter((m) => m.kind === 'event').map((m) => EventRecord.parse(m.record));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ impression_id: s.impression_id, item_id: item, position: 2, type: 'click', policy_version: s.policy_version });
  });

  it('rejects an item that was not in the impression with 422', async () => {
    const h = harness();
    const s = await slateFor(h);
    const r = await h.json('/v1/events', { token: s.token, item_id: 'never-shown', type: 'click' });
    expect(r.status).toBe(422);
    expect(await r.json()).toMatchObject({ error: { code: 'item_not_in_impression', field: 'item_id' } });
  });

  it.each([
    ['missing', () => undefined, 400, 'token'],
    ['forged signature', (t: string) => t.slice(0, -4) + (t.endsWith('AAAA') ? 'BBBB' : 'AAAA'), 401, 'token'],
    ['payload swapped', (t: string) => `eyJpaWQiOiJ4In0.${t.split('.')[1]}`, 401, 'token'],
    ['garbage', () => 'not-a-token', 401, 'token'],
  ])('rejects a %s token', async (_name, mutate, status, field) => {
    const h = harness();
    const s = await slateFor(h);
    const token = mutate(s.token);
    const r = await h.json('/v1/events', { ...(token === undefined ? {} : { token }), item_id: s.items[0]!.item_id, type: 'click' });
    expect(r.status).toBe(status);
    expect(await r.json()).toMatchObject({ error: { field } });
    expect(h.sent.filter((m) => m.kind === 'event')).toHaveLength(0);
  });

  it('rejects an expired token and one signed with another secret', async () => {
    const h = harness();
    const s = await slateFor(h);
    const payload = { iid: s.impression_id, uk: '0'.repeat(32), it: s.items.map((i) => i.item_id), pv: s.policy_version };
    const expired = await signToken(env.TOKEN_SECRET, { ...payload, exp: Math.floor(Date.now() / 1000) - 1 });
    const r1 = await h.json('/v1/events', { token: expired, item_id: s.items[0]!.item_id, type: 'click' });
    expect(r1.status).toBe(401);
    expect(await r1.json()).toMatchObject({ error: { code: 'token_expired' } });
    const other = await signToken('another-secret-0123456789', { ...payload, exp: Math.floor(Date.now() / 1000) + 60 });
    const r2 = await h.json('/v1/events', { token: other, item_id: s.items[0]!.item_id, type: 'click' });
    expect(r2.status).toBe(401);
    expect(await r2.json()).toMatchObject({ error: { code: 'token_forged' } });
  });

  it('answers 503 and keeps no record when the queue is down, so the client can retry', async () => {
    const ok = harness();
    const s = await slateFor(ok);
    const down = harness({ LOG_QUEUE: { send: async () => Promise.reject(new Error('queue down')) } as unknown as Queue }, ok.deps);
    const r = await down.json('/v1/events', { token: s.token, item_id: s.items[1]!.item_id, type: 'purchase', value: 12.5, event_id: 'retry-me' });
    expect(r.status).toBe(503);
    const retry = await ok.json('/v1/events', { token: s.token, item_id: s.items[1]!.item_id, type: 'purchase', value: 12.5, event_id: 'retry-me' });
    expect(retry.status).toBe(202);
    expect(await retry.json()).toMatchObject({ duplicate: false });
  });
});
