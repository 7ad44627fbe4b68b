import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { requestDataPoint } from '../../edge/request-metrics.js';
import { R2Store } from '../../edge/store/r2-store.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { harness } from './helpers.js';

/** The request counters: one Analytics Engine data point per request, when the binding exists. */
describe('edge request counters (Workers Analytics Engine)', () => {
  beforeAll(async () => {
    await publishFixture(new R2Store(env.BUCKET), { salt: env.USER_SALT, users: { alice: ['item-1', 'item-2', 'item-3'] } });
  });

  it('shapes a data point: route index, method, status class, scorer source', () => {
    expect(requestDataPoint('/v1/slate', 'GET', 200, 'cache')).toEqual({ indexes: ['/v1/slate'], blobs: ['/v1/slate', 'GET', '2xx', 'cache'], doubles: [200, 1] });
    // An unknown path is `other`, so a scan of random paths cannot blow up the index.
    expect(requestDataPoint('/wp-admin/x.php', 'POST', 404, undefined)).toEqual({ indexes: ['other'], blobs: ['other', 'POST', '4xx', ''], doubles: [404, 1] });
  });

  it('counts every request with its final status and the source that answered, errors included', async () => {
    const points: AnalyticsEngineDataPoint[] = [];
    const h = harness({ EDGE_METRICS: { writeDataPoint: (p?: AnalyticsEngineDataPoint) => void points.push(p!) } });
    expect((await h.call('/v1/slate?user_id=alice&k=2')).status).toBe(200);
    expect((await h.call('/v1/slate?user_id=nobody&k=2')).status).toBe(200);
    expect((await h.call('/v1/slate?k=abc')).status).toBe(400);
    expect((await h.call('/nowhere')).status).toBe(404);
    expect(points.map((p) => p.blobs)).toEqual([
      ['/v1/slate', 'GET', '2xx', 'cache'],
      ['/v1/slate', 'GET', '2xx', 'popularity'],
      ['/v1/slate', 'GET', '4xx', ''],
      ['other', 'GET', '4xx', ''],
    ]);
  });

  it('serves normally with the real local binding (Miniflare) and without any binding', async () => {
    expect((await SELF.fetch('https://edge.test/v1/slate?user_id=alice&k=2')).status).toBe(200);
    const h = harness({ EDGE_METRICS: undefined as unknown as AnalyticsEngineDataset });
    expect((await h.call('/v1/slate?user_id=alice&k=2')).status).toBe(200);
  });
});
