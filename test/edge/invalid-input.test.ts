import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { R2Store } from '../../edge/store/r2-store.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { harness } from './helpers.js';

beforeAll(async () => {
  await publishFixture(new R2Store(env.BUCKET), { salt: env.USER_SALT });
});

/** [name, path, init, status, field]: every 4xx is JSON naming the problem. */
const cases: Array<[string, string, RequestInit | undefined, number, string | undefined]> = [
  ['missing user_id', '/v1/slate?k=3', undefined, 400, 'user_id'],
  ['k not a number', '/v1/slate?user_id=u&k=abc', undefined, 400, 'k'],
  ['k zero', '/v1/slate?user_id=u&k=0', undefined, 400, 'k'],
  ['k fractional', '/v1/slate?user_id=u&k=2.5', undefined, 400, 'k'],
  ['k above the hard cap', '/v1/slate?user_id=u&k=1000', undefined, 400, 'k'],
  ['k above the surface cap', '/v1/slate?user_id=u&k=11', undefined, 400, 'k'],
  ['unknown surface', '/v1/slate?user_id=u&surface=nowhere', undefined, 400, 'surface'],
  ['malformed surface', '/v1/slate?user_id=u&surface=Bad%20Surface', undefined, 400, 'surface'],
  ['unknown query parameter', '/v1/slate?user_id=u&kk=3', undefined, 400, 'kk'],
  ['control character in user id', '/v1/slate?user_id=a%00b', undefined, 400, 'user_id'],
  ['wrong content type', '/v1/slate', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"user_id":"u"}' }, 415, 'content-type'],
  ['bad JSON', '/v1/slate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user_id":' }, 400, 'body'],
  ['bad UTF-8', '/v1/slate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array([0x7b, 0xff, 0x7d]) }, 400, 'body'],
  ['JSON not an object', '/v1/slate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2]' }, 400, 'body'],
  ['JSON a number', '/v1/slate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '42' }, 400, 'body'],
  ['JSON a string', '/v1/slate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"u"' }, 400, 'body'],
  ['JSON null', '/v1/slate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'null' }, 400, 'body'],
  ['event: JSON not an object', '/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' }, 400, 'body'],
  ['repeated k (GET would take the first, JSON the last)', '/v1/slate?user_id=u&k=5&k=1000', undefined, 400, 'k'],
  ['repeated user_id', '/v1/slate?user_id=a&user_id=b', undefined, 400, 'user_id'],
  ['k in hex (0x5 read as 5)', '/v1/slate?user_id=u&k=0x5', undefined, 400, 'k'],
  ['k in exponent form', '/v1/slate?user_id=u&k=1e1', undefined, 400, 'k'],
  ['k with a space', '/v1/slate?user_id=u&k=%205', undefined, 400, 'k'],
  ['k in binary', '/v1/slate?user_id=u&k=0b101', undefined, 400, 'k'],
  ['__proto__ as a query key', '/v1/slate?user_id=u&__proto__=x', undefined, 400, '__proto__'],
  ['lone high surrogate in user id', '/v1/slate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user_id":"lone\\ud800"}' }, 400, 'user_id'],
  ['lone low surrogate in user id', '/v1/slate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user_id":"lone\\udfff"}' }, 400, 'user_id'],
  ['reversed surrogate pair in user id', '/v1/slate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user_id":"x\\udc00\\ud800"}' }, 400, 'user_id'],
  ['lone surrogate in an excluded item id', '/v1/slate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user_id":"u","context":{"exclude_item_ids":["i\\ud800"]}}' }, 400, 'context.exclude_item_ids.0'],
  ['event: ts of 0', '/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"a.b","item_id":"i","type":"click","ts":0}' }, 400, 'ts'],
  ['event: ts far in the future', '/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"a.b","item_id":"i","type":"click","ts":8640000000000000}' }, 400, 'ts'],
  ['event: value −1e308', '/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"a.b","item_id":"i","type":"dwell","value":-1e308}' }, 400, 'value'],
  ['event: value 1e10', '/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"a.b","item_id":"i","type":"purchase","value":1e10}' }, 400, 'value'],
  ['event: lone surrogate in item id', '/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"a.b","item_id":"i\\udfff","type":"click"}' }, 400, 'item_id'],
  ['oversized body', '/v1/slate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: 'u', pad: 'x'.repeat(70_000) }) }, 413, 'body'],
  ['k as string in body', '/v1/slate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user_id":"u","k":"3"}' }, 400, 'k'],
  ['unknown context field', '/v1/slate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user_id":"u","context":{"colour":"red"}}' }, 400, 'context.colour'],
  ['exclude list not strings', '/v1/slate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user_id":"u","context":{"exclude_item_ids":[1]}}' }, 400, 'context.exclude_item_ids.0'],
  ['event: wrong content type', '/v1/events', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }, 415, 'content-type'],
  ['event: bad JSON', '/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'nope' }, 400, 'body'],
  ['event: missing type', '/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"a.b","item_id":"i"}' }, 400, 'type'],
  ['event: unknown type', '/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"a.b","item_id":"i","type":"teleport"}' }, 400, 'type'],
  ['event: value not finite', '/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"a.b","item_id":"i","type":"dwell","value":"x"}' }, 400, 'value'],
  ['event: oversized', '/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'x'.repeat(70_000) }) }, 413, 'body'],
  ['unknown route', '/v2/anything', undefined, 404, undefined],
  ['wrong method', '/v1/events', { method: 'GET' }, 404, undefined],
];

describe('invalid input gets a JSON 4xx naming the field', () => {
  it.each(cases)('%s', async (_name, path, init, status, field) => {
    const h = harness();
    const r = await h.call(path, init);
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await r.json()) as { error: { code: string; message: string; field?: string } };
    expect(body.error.message.length).toBeGreaterThan(0);
    if (field !== undefined) expect(body.error.field).toBe(field);
    expect(h.sent).toHaveLength(0);
  });

  it('a user id with U+FFFD itself is well-formed and served: only lone surrogates are refused', async () => {
    const h = harness();
    expect((await h.json('/v1/slate', { user_id: 'lone\ufffd' })).status).toBe(200);
    expect((await h.json('/v1/slate', { user_id: 'pair\ud83d\ude00' })).status).toBe(200);
  });

  it('an event ts within the window is accepted by validation (a forged token then decides)', async () => {
    const h = harness();
    const r = await h.json('/v1/events', { token: 'a.b', item_id: 'i', type: 'click', ts: Date.now() - 60_000, value: -5 });
    expect(r.status).toBe(401);
  });

  it('refuses to serve with missing secrets (503, nothing signed, no secret in the body)', async () => {
    const h = harness({ TOKEN_SECRET: '' });
    const r = await h.call('/v1/slate?user_id=u');
    expect(r.status).toBe(503);
    expect(await r.text()).not.toContain(env.USER_SALT);
  });
});
