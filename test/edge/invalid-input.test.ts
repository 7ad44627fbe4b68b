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
  ['JSON not an object', '/v1/slate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2]' }, 400, undefined],
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

  it('refuses to serve with missing secrets (503, nothing signed, no secret in the body)', async () => {
    const h = harness({ TOKEN_SECRET: '' });
    const r = await h.call('/v1/slate?user_id=u');
    expect(r.status).toBe(503);
    expect(await r.text()).not.toContain(env.USER_SALT);
  });
});
