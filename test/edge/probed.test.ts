import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { R2Store } from '../../edge/store/r2-store.js';
import { fromBase64Url, toBase64Url } from '../../shared/crypto/encoding.js';
import { signUserAssertion } from '../../shared/crypto/user-assertion.js';
import { verifyToken } from '../../shared/crypto/token.js';
import { EventRecord } from '../../shared/schemas/event.js';
import { SlateResponse } from '../../shared/schemas/slate.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { clearOfRateWindowEdge, harness } from './helpers.js';

// Defects found by probing the running edge from outside, one test each.

/** Keys that `obj[key]` finds on every plain object. */
const INHERITED = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

async function slateFor(h: ReturnType<typeof harness>, user: string) {
  const r = await h.call(`/v1/slate?user_id=${encodeURIComponent(user)}&k=5`);
  expect(r.status).toBe(200);
  return SlateResponse.parse(await r.json());
}

const events = (h: ReturnType<typeof harness>) => h.sent.filter((m) => m.kind === 'event').map((m) => EventRecord.parse(m.record));

describe('probed from outside: requests that once went wrong', () => {
  beforeAll(async () => {
    await publishFixture(new R2Store(env.BUCKET), { salt: env.USER_SALT, users: { alice: Array.from({ length: 20 }, (_, i) => `item-${i}`) }, items: 60 });
  });

  it('4: inherited Object.prototype names are unknown surfaces (400 naming surface), never a 500', async () => {
    const h = harness();
    for (const surface of INHERITED) {
      const get = await h.call(`/v1/slate?user_id=u&surface=${encodeURIComponent(surface)}`);
      expect(get.status, `GET surface=${surface}`).toBe(400);
      expect(await get.json()).toMatchObject({ error: { field: 'surface' } });
      const post = await h.json('/v1/slate', { user_id: 'u', surface });
      expect(post.status, `POST surface=${surface}`).toBe(400);
      expect(await post.json()).toMatchObject({ error: { field: 'surface' } });
    }
    expect(h.sent).toHaveLength(0);
  });

  it('4: inherited names in every other field that indexes something behave as plain values', async () => {
    const h = harness();
    for (const name of INHERITED) {
      // user_id keys a cache and a shard record; recent/exclude ids key the item matrix rows.
      const s = await h.json('/v1/slate', { user_id: name, context: { recent_item_ids: [name, 'item-1'], exclude_item_ids: [name] } });
      expect(s.status, `user_id=${name}`).toBe(200);
      const slate = SlateResponse.parse(await s.json());
      // item_id is looked up in the token's item list; event_id keys the duplicate set.
      const ev = await h.json('/v1/events', { token: slate.token, item_id: name, type: 'click' });
      expect(ev.status, `item_id=${name}`).toBe(422);
      const ok = await h.json('/v1/events', { token: slate.token, item_id: slate.items[0]!.item_id, type: 'click', event_id: name });
      expect(ok.status, `event_id=${name}`).toBe(202);
      expect(await ok.json()).toMatchObject({ duplicate: false });
    }
  });

  it('5: event ids are de-duplicated within the impression the token proves, not across users', async () => {
    const h = harness();
    const victim = await slateFor(h, 'victim-5');
    const attacker = await slateFor(h, 'attacker-5');
    const item = victim.items[0]!.item_id;
    // The attacker posts the victim's default id with their own token…
    const forged = await h.json('/v1/events', { token: attacker.token, item_id: attacker.items[0]!.item_id, type: 'click', event_id: `${victim.impression_id}:${item}:click` });
    expect(forged.status).toBe(202);
    // …and the victim's real click is still a new click, queued.
    const real = await h.json('/v1/events', { token: victim.token, item_id: item, type: 'click' });
    expect(real.status).toBe(202);
    expect(await real.json()).toMatchObject({ duplicate: false, event_id: `${victim.impression_id}:${item}:click` });
    // Two users choosing the same id are two events; one user retrying an id is one.
    const a = await h.json('/v1/events', { token: victim.token, item_id: item, type: 'dwell', event_id: 'same-id' });
    const b = await h.json('/v1/events', { token: attacker.token, item_id: attacker.items[0]!.item_id, type: 'dwell', event_id: 'same-id' });
    const again = await h.json('/v1/events', { token: victim.token, item_id: item, type: 'dwell', event_id: 'same-id' });
    expect([await a.json(), await b.json(), await again.json()].map((x) => (x as { duplicate: boolean }).duplicate)).toEqual([false, false, true]);
    const logged = events(h);
    expect(logged.filter((e) => e.impression_id === victim.impression_id).map((e) => e.event_id).sort()).toEqual([`${victim.impression_id}:${item}:click`, `${victim.impression_id}:same-id`].sort());
    // Ids in the log are unique, so the batch tier's de-duplication by event_id keeps all of them.
    expect(new Set(logged.map((e) => e.event_id)).size).toBe(logged.length);
  });

  it('6: a token minted in a victim\'s name spends that impression\'s budget, not the victim\'s', async () => {
    const h = harness();
    const minted = await slateFor(h, 'victim-6');
    const statuses: number[] = [];
    for (let i = 0; i < 125; i++) {
      const r = await h.json('/v1/events', { token: minted.token, item_id: minted.items[i % 5]!.item_id, type: 'dwell', value: i, event_id: `burn-${i}` });
      statuses.push(r.status);
      await r.body?.cancel();
    }
    expect(statuses.filter((x) => x === 429).length).toBeGreaterThan(0);
    const own = await slateFor(h, 'victim-6');
    const r = await h.json('/v1/events', { token: own.token, item_id: own.items[0]!.item_id, type: 'click' });
    expect(r.status).toBe(202);
  });

  it('6: one client address minting fresh tokens meets the per-address limit; loopback is not an address', async () => {
    const h = harness();
    const addr = { 'cf-connecting-ip': '203.0.113.77' };
    await clearOfRateWindowEdge(25_000);
    let accepted = 0;
    let limited = 0;
    for (let s = 0; s < 11 && limited === 0; s++) {
      const slate = await slateFor(h, `nat-user-${s}`);
      for (let i = 0; i < 115; i++) {
        const r = await h.json('/v1/events', { token: slate.token, item_id: slate.items[i % 5]!.item_id, type: 'dwell', value: i, event_id: `a-${i}` }, addr);
        if (r.status === 202) accepted++;
        else if (r.status === 429) {
          limited++;
          expect(await r.json()).toMatchObject({ error: { code: 'rate_limited', message: expect.stringContaining('address') } });
          break;
        }
        await r.body?.cancel();
      }
    }
    expect(accepted).toBe(1200);
    expect(limited).toBe(1);
    const other = await slateFor(h, 'elsewhere');
    expect((await h.json('/v1/events', { token: other.token, item_id: other.items[0]!.item_id, type: 'click' }, { 'cf-connecting-ip': '198.51.100.9' })).status).toBe(202);
    expect((await h.json('/v1/events', { token: other.token, item_id: other.items[1]!.item_id, type: 'click' }, { 'cf-connecting-ip': '127.0.0.1' })).status).toBe(202);
  }, 45_000);

  it('7: a token whose MAC is spelled non-canonically (unused low bits set) is refused', async () => {
    const h = harness();
    const s = await slateFor(h, 'alice');
    const [body, mac] = s.token.split('.') as [string, string];
    // 32 bytes → 43 characters; the last carries 4 bits of data and 2 unused bits.
    const last = mac.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
    const variant = `${body}.${mac.slice(0, -1)}${twin}`;
    expect(fromBase64Url(mac.slice(0, -1) + twin)).toBeNull();
    expect(toBase64Url(fromBase64Url(mac)!)).toBe(mac);
    expect((await verifyToken(env.TOKEN_SECRET, variant, Math.floor(Date.now() / 1000))).ok).toBe(false);
    const r = await h.json('/v1/events', { token: variant, item_id: s.items[0]!.item_id, type: 'click' });
    expect(r.status).toBe(401);
    expect(await r.json()).toMatchObject({ error: { field: 'token' } });
    expect(events(h)).toHaveLength(0);
    expect((await h.json('/v1/events', { token: s.token, item_id: s.items[0]!.item_id, type: 'click' })).status).toBe(202);
  });

  it('9: HEAD /v1/slate logs no impression and signs no token (405, Allow: GET, POST)', async () => {
    const h = harness();
    const r = await h.call('/v1/slate?user_id=alice', { method: 'HEAD' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, POST');
    expect(await r.text()).toBe('');
    expect(h.sent).toHaveLength(0);
    expect((await h.call('/v1/slate?user_id=alice')).status).toBe(200);
    expect(h.sent).toHaveLength(1);
  });

  it('6: with USER_ASSERTION_SECRET set, slates need the site\'s signed assertion and vouched users are limited by user', async () => {
    const secret = 'site-assertion-secret-0123456789';
    const h = harness({ USER_ASSERTION_SECRET: secret });
    const exp = Math.floor(Date.now() / 1000) + 600;
    const good = await signUserAssertion(secret, 'carol', exp);
    const cases: Array<[string | undefined, string]> = [
      [undefined, 'user_assertion_missing'],
      ['garbage', 'user_assertion_malformed'],
      [await signUserAssertion(secret, 'mallory', exp), 'user_assertion_forged'],
      [await signUserAssertion('another-secret-0123456789', 'carol', exp), 'user_assertion_forged'],
      [await signUserAssertion(secret, 'carol', exp - 3600), 'user_assertion_expired'],
    ];
    for (const [assertion, code] of cases) {
      const r = await h.call('/v1/slate?user_id=carol', { headers: assertion ? { 'x-user-assertion': assertion } : {} });
      expect(r.status, code).toBe(401);
      expect(await r.json()).toMatchObject({ error: { code, field: 'user_assertion' } });
    }
    expect(h.sent).toHaveLength(0);
    const r = await h.call('/v1/slate?user_id=carol&k=5', { headers: { 'x-user-assertion': good } });
    expect(r.status).toBe(200);
    const s = SlateResponse.parse(await r.json());
    const t = await verifyToken(env.TOKEN_SECRET, s.token, Math.floor(Date.now() / 1000));
    expect(t.ok && t.payload.va).toBe(1);
    // Vouched for, carol's own events across impressions share one per-user budget.
    const second = SlateResponse.parse(await (await h.call('/v1/slate?user_id=carol&k=5', { headers: { 'x-user-assertion': good } })).json());
    const statuses: number[] = [];
    await clearOfRateWindowEdge(10_000);
    for (let i = 0; i < 130; i++) {
      const tok = i % 2 ? s : second;
      const e = await h.json('/v1/events', { token: tok.token, item_id: tok.items[i % 5]!.item_id, type: 'dwell', value: i, event_id: `c-${i}` });
      statuses.push(e.status);
      await e.body?.cancel();
    }
    expect(statuses.filter((x) => x === 202)).toHaveLength(120);
  }, 45_000);
});
