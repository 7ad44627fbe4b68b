import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { R2Store } from '../../edge/store/r2-store.js';
import { SlateResponse } from '../../shared/schemas/slate.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { clearOfRateWindowEdge, harness } from './helpers.js';

describe('POST /v1/events rate limit (Workers rate-limiting binding, 120 per minute per impression)', () => {
  beforeAll(async () => {
    await publishFixture(new R2Store(env.BUCKET), { salt: env.USER_SALT });
  });

  it('throttles one impression past the limit with a JSON 429 and leaves other users alone', async () => {
    const h = harness();
    const s = SlateResponse.parse(await (await h.call('/v1/slate?user_id=spammer&k=5')).json());
    await clearOfRateWindowEdge(10_000);
    const statuses: number[] = [];
    for (let i = 0; i < 130; i++) {
      const r = await h.json('/v1/events', { token: s.token, item_id: s.items[i % 5]!.item_id, type: 'dwell', value: i, event_id: `spam-${i}` });
      statuses.push(r.status);
      if (r.status === 429) {
        expect(r.headers.get('retry-after')).toBe('60');
        expect(await r.json()).toMatchObject({ error: { code: 'rate_limited' } });
      } else await r.body?.cancel();
    }
    expect(statuses.filter((x) => x === 202)).toHaveLength(120);
    expect(statuses.slice(120).every((x) => x === 429)).toBe(true);
    expect(h.sent.filter((m) => m.kind === 'event')).toHaveLength(120);
    const other = SlateResponse.parse(await (await h.call('/v1/slate?user_id=someone-else&k=5')).json());
    expect((await h.json('/v1/events', { token: other.token, item_id: other.items[0]!.item_id, type: 'click' })).status).toBe(202);
  }, 30_000);
});
