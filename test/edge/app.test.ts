import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { R2Store } from '../../edge/store/r2-store.js';
import { SlateResponse } from '../../shared/schemas/slate.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { harness } from './helpers.js';

const click = (s: SlateResponse) => ({ token: s.token, item_id: s.items[0]!.item_id, type: 'click', event_id: 'once' });

/** `createApp(deps)`: everything an app keeps between requests is in its deps, and only there. */
describe('the edge app built from its dependencies', () => {
  beforeAll(async () => {
    await publishFixture(new R2Store(env.BUCKET), { salt: env.USER_SALT, users: { fay: ['item-1', 'item-2', 'item-3', 'item-4'] } });
  });

  it('the Worker keeps one state per isolate: a repeated event is a duplicate across requests', async () => {
    const post = (body: unknown) => SELF.fetch('https://edge.test/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const s = SlateResponse.parse(await (await SELF.fetch('https://edge.test/v1/slate?user_id=fay')).json());
    expect(await (await post(click(s))).json()).toMatchObject({ duplicate: false });
    expect(await (await post(click(s))).json()).toMatchObject({ duplicate: true });
  });

  it('apps share state exactly when they share deps', async () => {
    const a = harness();
    const s = SlateResponse.parse(await (await a.call('/v1/slate?user_id=fay')).json());
    expect(await (await a.json('/v1/events', click(s))).json()).toMatchObject({ duplicate: false });
    expect(await (await harness({}, a.deps).json('/v1/events', click(s))).json()).toMatchObject({ duplicate: true });
    expect(await (await harness().json('/v1/events', click(s))).json()).toMatchObject({ duplicate: false });
  });
});
