import { env } from 'cloudflare:test';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { R2Store } from '../../edge/store/r2-store.js';
import { SlateResponse } from '../../shared/schemas/slate.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { harness } from './helpers.js';

/**
 * 10,000+ random and malformed requests to every route of the worker, inside workerd: no 5xx,
 * and every 4xx is a JSON error envelope with a code and a message.
 */
const ROUTES = ['/v1/slate', '/v1/events', '/healthz', '/ping', '/', '/v1', '/v1/slate/x', '/v1/events/', '/%ff', '/v1/slate;a=b'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '', 'application/jsonx', 'application/json;;;'];

const weird = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '0', '-1', '1e3', 'NaN', 'Infinity', '1.5', '99999999999999999999', 'null', 'true', '[]', '{}', '%00', '\u0000', '\ud800', 'a'.repeat(300), '../../etc', '<script>'),
);
const jsonValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), weird, fc.integer(), fc.double(), fc.constant(null));

const slateBody = fc.record(
  { user_id: jsonValue, k: jsonValue, surface: jsonValue, context: fc.oneof(jsonValue, fc.record({ recent_item_ids: jsonValue, exclude_item_ids: fc.oneof(jsonValue, fc.array(weird, { maxLength: 5 })), locale: jsonValue, extra: jsonValue }, { requiredKeys: [] })), extra: jsonValue },
  { requiredKeys: [] },
);

function eventBody(tokens: string[]) {
  return fc.record(
    { token: fc.oneof(fc.constantFrom(...tokens), weird, jsonValue, fc.constantFrom(...tokens).map((t) => t.slice(0, -3) + 'abc')), item_id: fc.oneof(fc.constantFrom('item-1', 'item-2', 'item-3'), weird, jsonValue), type: fc.oneof(fc.constantFrom('click', 'purchase', 'dwell'), weird), value: jsonValue, event_id: jsonValue, ts: jsonValue },
    { requiredKeys: [] },
  );
}

const query = fc.dictionary(fc.oneof(fc.constantFrom('user_id', 'k', 'surface'), weird), weird, { maxKeys: 4 }).map((d) => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(d)) u.append(k, v);
  return u.toString();
});

describe('fuzzing every route inside workerd', () => {
  const tokens: string[] = [];
  beforeAll(async () => {
    await publishFixture(new R2Store(env.BUCKET), { salt: env.USER_SALT, users: { 'item-lover': ['item-1', 'item-2', 'item-3', 'item-4', 'item-5'] } });
    const h = harness();
    for (const u of ['item-lover', 'x', 'y']) tokens.push(SlateResponse.parse(await (await h.call(`/v1/slate?user_id=${u}&k=3`)).json()).token);
  });

  it('10,000 random requests: zero 5xx, every 4xx is JSON naming the problem', async () => {
    const h = harness();
    const statuses = new Map<number, number>();
    const request = fc.record({
      // Mostly the real routes and methods, so most requests get past routing into validation.
      method: fc.oneof({ arbitrary: fc.constantFrom('GET', 'POST'), weight: 9 }, { arbitrary: fc.constantFrom(...METHODS), weight: 1 }),
      route: fc.oneof({ arbitrary: fc.constantFrom('/v1/slate', '/v1/events'), weight: 9 }, { arbitrary: fc.constantFrom(...ROUTES), weight: 1 }),
      query,
      contentType: fc.constantFrom(...CONTENT_TYPES),
      body: fc.oneof(
        slateBody.map((b) => JSON.stringify(b)),
        eventBody(tokens).map((b) => JSON.stringify(b)),
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom('', '{', '[', 'null', '"x"', '{"user_id":', '\u0000', 'x'.repeat(70_000), JSON.stringify({ user_id: 'u', context: { exclude_item_ids: Array.from({ length: 2000 }, (_, i) => `i${i}`) } })),
      ),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const hasBody = !['GET', 'HEAD'].includes(r.method);
        const res = await h.call(`${r.route}${r.query ? `?${r.query}` : ''}`, {
          method: r.method,
          headers: r.contentType ? { 'content-type': r.contentType } : {},
          ...(hasBody ? { body: r.body } : {}),
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const text = await res.text();
        if (res.status >= 500) throw new Error(`${r.method} ${r.route}?${r.query} → ${res.status} ${text}`);
        if (res.status >= 400 && r.method !== 'HEAD') {
          expect(res.headers.get('content-type') ?? '').toMatch(/application\/json/);
          const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
          expect(body.error?.code).toBeTruthy();
          expect(body.error?.message).toBeTruthy();
          expect(text).not.toContain(env.TOKEN_SECRET);
          expect(text).not.toContain(env.USER_SALT);
        }
      }),
      { numRuns: 10_000, seed: 20261122 },
    );
    // The fuzz reached past validation too, not only 404s.
    expect((statuses.get(200) ?? 0) + (statuses.get(202) ?? 0)).toBeGreaterThan(100);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(1000);
  }, 300_000);
});
