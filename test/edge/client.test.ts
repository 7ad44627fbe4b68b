import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { SlatecastApiError, SlatecastClient } from '../../client/index.js';
import { R2Store } from '../../edge/store/r2-store.js';
import { EventRecord } from '../../shared/schemas/event.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { harness } from './helpers.js';

/** `slatecast/client` running inside workerd (as a Worker calling the edge through a binding would). */
describe('slatecast/client inside workerd', () => {
  beforeAll(async () => {
    await publishFixture(new R2Store(env.BUCKET), { salt: env.USER_SALT, users: { carol: Array.from({ length: 20 }, (_, i) => `item-${i}`) } });
  });

  function clientOn(h: ReturnType<typeof harness>, retries = 2) {
    return new SlatecastClient({ baseUrl: 'https://edge.test', fetch: (url, init) => h.call(url.slice('https://edge.test'.length), init), retry: { retries, baseDelayMs: 1, maxDelayMs: 2 } });
  }

  it('gets a slate and posts an event; a queue outage (503) is retried with the same event id, logged once', async () => {
    let failures = 1;
    const h = harness();
    const send = h.env.LOG_QUEUE.send.bind(h.env.LOG_QUEUE);
    h.env.LOG_QUEUE.send = async (body: unknown) => {
      // Impressions go through sendBatch; this fails only the first event send.
      if (failures-- > 0) throw new Error('queue down');
      return send(body as string);
    };
    const sc = clientOn(h);
    const s = await sc.getSlate({ user_id: 'carol', k: 4 });
    expect(s.source).toBe('cache');
    const r = await sc.postEvent({ token: s.token, item_id: s.items[0]!.item_id, type: 'click', event_id: 'carol-click-1' });
    expect(r).toEqual({ accepted: true, duplicate: false, event_id: `${s.impression_id}:carol-click-1` });
    expect(failures).toBe(-1);
    const events = h.sent.filter((m) => m.kind === 'event').map((m) => EventRecord.parse(m.record));
    expect(events.map((e) => e.event_id)).toEqual([r.event_id]);
  });

  it('throws a typed error with status, code and field, and gives up on a lasting 503', async () => {
    const h = harness();
    const sc = clientOn(h);
    const e = await sc.getSlate({ user_id: 'carol', k: 0 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SlatecastApiError);
    expect(e).toMatchObject({ status: 400, code: 'bad_request', field: 'k', retryable: false });

    const down = harness();
    down.env.LOG_QUEUE.send = async () => {
      throw new Error('queue down');
    };
    const s = await clientOn(down).getSlate({ user_id: 'carol' });
    const gone = await clientOn(down, 1).postEvent({ token: s.token, item_id: s.items[0]!.item_id, type: 'click' }).catch((x: unknown) => x);
    expect(gone).toMatchObject({ status: 503, code: 'queue_unavailable', retryable: true });
  });
});
