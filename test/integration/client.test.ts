import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backoffDelay, SlatecastAbortError, SlatecastApiError, SlatecastClient, SlatecastNetworkError, SlatecastTimeoutError } from '../../client/index.js';
import { S3HttpStore } from '../../edge/store/s3-http-store.js';
import { startEdge, type LocalEdge } from '../../local/start-edge.js';
import { EVENTS_PREFIX } from '../../shared/artifact/paths.js';
import { EventRecord } from '../../shared/schemas/event.js';
import { SlateResponse } from '../../shared/schemas/slate.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';

const SALT = 'client-test-salt-0123456789';
const USERS = Array.from({ length: 10 }, (_, i) => `client-user-${i}`);

/** `slatecast/client` against the worker in workerd (Miniflare) and a real S3 server, through a fault-injecting proxy. */
describe('typed client against the running worker', () => {
  let s3: S3Server;
  let edge: LocalEdge;
  let proxy: FaultProxy;
  let store: S3HttpStore;
  // No jitter wait worth the name: retries are about what is sent, not when.
  const client = (o: Partial<ConstructorParameters<typeof SlatecastClient>[0]> = {}) => new SlatecastClient({ baseUrl: proxy.url, retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...o });

  beforeAll(async () => {
    s3 = await startS3Server();
    store = new S3HttpStore(s3);
    await publishFixture(store, { salt: SALT, users: Object.fromEntries(USERS.slice(0, 5).map((u) => [u, Array.from({ length: 30 }, (_, i) => `item-${(i * 7) % 60}`)])) });
    edge = await startEdge({ s3, tokenSecret: 'client-test-token-secret-0123', userSalt: SALT, quiet: true });
    proxy = await startFaultProxy(edge.url.toString().replace(/\/$/, ''));
  });
  beforeEach(() => {
    proxy.seen.length = 0;
  });
  afterAll(async () => {
    await proxy?.close();
    await edge?.stop();
    await s3?.stop();
  });

  async function loggedEvents(): Promise<EventRecord[]> {
    const out: EventRecord[] = [];
    for (const o of await store.list(EVENTS_PREFIX)) {
      const text = new TextDecoder().decode((await store.get(o.key))!.body);
      for (const line of text.split('\n')) if (line) out.push(EventRecord.parse(JSON.parse(line)));
    }
    return out;
  }

  it('gets slates by GET and, with a context, by POST; the answers are the edge schema', async () => {
    const sc = client();
    const a = await sc.getSlate({ user_id: USERS[0]!, k: 4 });
    expect(SlateResponse.parse(a).items).toHaveLength(4);
    expect(a.source).toBe('cache');
    const b = await sc.getSlate({ user_id: USERS[7]!, surface: 'cart', context: { exclude_item_ids: ['item-0'] } });
    expect(b.surface).toBe('cart');
    expect(b.items.map((i) => i.item_id)).not.toContain('item-0');
    expect(proxy.seen.map((s) => s.method)).toEqual(['GET', 'POST']);
    expect(proxy.seen[0]!.path).toBe(`/v1/slate?user_id=${USERS[0]}&k=4`);
  });

  it('posts events; the same event again is a duplicate with the same id', async () => {
    const sc = client();
    const s = await sc.getSlate({ user_id: USERS[1]! });
    const first = await sc.postEvent({ token: s.token, item_id: s.items[0]!.item_id, type: 'click' });
    expect(first).toEqual({ accepted: true, duplicate: false, event_id: `${s.impression_id}:${s.items[0]!.item_id}:click` });
    const again = await sc.postEvent({ token: s.token, item_id: s.items[0]!.item_id, type: 'click' });
    expect(again).toEqual({ ...first, duplicate: true });
  });

  it('turns error envelopes into typed errors with status, code and field, and does not retry 4xx', async () => {
    const sc = client();
    const s = await sc.getSlate({ user_id: USERS[2]! });
    // Any change to the signed part of the token: the MAC no longer matches.
    const forged = `${s.token[0] === 'A' ? 'B' : 'A'}${s.token.slice(1)}`;
    proxy.seen.length = 0;
    const cases: Array<[() => Promise<unknown>, number, string, string | undefined]> = [
      [() => sc.getSlate({ user_id: USERS[2]!, k: 1000 }), 400, 'bad_request', 'k'],
      [() => sc.getSlate({ user_id: USERS[2]!, surface: 'nowhere' }), 400, 'bad_request', 'surface'],
      [() => sc.getSlate({ user_id: USERS[2]!, context: { recent_item_ids: [''] } }), 400, 'bad_request', 'context.recent_item_ids.0'],
      [() => sc.postEvent({ token: forged, item_id: s.items[0]!.item_id, type: 'click' }), 401, 'token_forged', 'token'],
      [() => sc.postEvent({ token: s.token, item_id: 'not-shown', type: 'click' }), 422, 'item_not_in_impression', 'item_id'],
    ];
    for (const [call, status, code, field] of cases) {
      const e = await call().then(
        () => null,
        (x: unknown) => x,
      );
      expect(e, code).toBeInstanceOf(SlatecastApiError);
      const err = e as SlatecastApiError;
      expect([err.status, err.code, err.field, err.retryable]).toEqual([status, code, field, false]);
    }
    expect(proxy.seen).toHaveLength(cases.length);
  });

  it('retries a lost answer with the identical body: one event in the logs, with or without an event_id', async () => {
    const sc = client();
    const s = await sc.getSlate({ user_id: USERS[3]! });
    proxy.seen.length = 0;
    proxy.plan('lose-answer', 'reset');
    const explicit = await sc.postEvent({ token: s.token, item_id: s.items[0]!.item_id, type: 'purchase', value: 12.5, event_id: 'order-77' });
    // Attempt 1 reached the edge (answer lost), attempt 2 was reset before it, attempt 3 is the duplicate.
    expect(explicit).toEqual({ accepted: true, duplicate: true, event_id: `${s.impression_id}:order-77` });
    expect(proxy.seen.map((x) => x.fault)).toEqual(['lose-answer', 'reset', 'forward']);
    expect(new Set(proxy.seen.map((x) => x.body)).size).toBe(1);

    proxy.seen.length = 0;
    proxy.plan('lose-answer');
    const implicit = await sc.postEvent({ token: s.token, item_id: s.items[1]!.item_id, type: 'click' });
    expect(implicit).toEqual({ accepted: true, duplicate: true, event_id: `${s.impression_id}:${s.items[1]!.item_id}:click` });
    expect(proxy.seen[0]!.body).toBe(proxy.seen[1]!.body);

    const deadline = Date.now() + 30_000;
    let mine: EventRecord[] = [];
    while (Date.now() < deadline) {
      mine = (await loggedEvents()).filter((e) => e.impression_id === s.impression_id);
      if (mine.length >= 2) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(mine.map((e) => e.event_id).sort()).toEqual([implicit.event_id, explicit.event_id].sort());
  });

  it('gives up after the retry budget with the last error; a persistent 503 is retried, then thrown', async () => {
    proxy.plan('503', '503', '503');
    const e = await client({ retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 } }).getSlate({ user_id: USERS[4]! }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SlatecastApiError);
    expect([(e as SlatecastApiError).status, (e as SlatecastApiError).code, (e as SlatecastApiError).retryable]).toEqual([503, 'queue_unavailable', true]);
    expect(proxy.seen).toHaveLength(3);
  });

  it('times out an attempt that hangs (typed), retries it, and stops at once on the caller abort', async () => {
    proxy.plan('hang');
    const t = await client({ timeoutMs: 200 }).getSlate({ user_id: USERS[4]! }, { retries: 0 }).catch((x: unknown) => x);
    expect(t).toBeInstanceOf(SlatecastTimeoutError);
    expect((t as SlatecastTimeoutError).timeoutMs).toBe(200);

    proxy.seen.length = 0;
    proxy.plan('hang');
    const ok = await client({ timeoutMs: 200 }).getSlate({ user_id: USERS[4]! }, { retries: 1 });
    expect(ok.items.length).toBeGreaterThan(0);
    expect(proxy.seen.map((x) => x.fault)).toEqual(['hang', 'forward']);

    proxy.seen.length = 0;
    proxy.plan('hang', 'hang');
    const ac = new AbortController();
    const pending = client({ timeoutMs: 60_000 }).getSlate({ user_id: USERS[4]! }, { signal: ac.signal, retries: 5 }).catch((x: unknown) => x);
    while (proxy.seen.length === 0) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    expect(await pending).toBeInstanceOf(SlatecastAbortError);
    expect(proxy.seen).toHaveLength(1);
  });

  it('reports a refused connection as a retryable network error', async () => {
    const dead = new SlatecastClient({ baseUrl: 'http://127.0.0.1:1', retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const e = await dead.getSlate({ user_id: 'x' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SlatecastNetworkError);
    expect((e as SlatecastNetworkError).retryable).toBe(true);
  });
});

describe('backoffDelay', () => {
  const p = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  it.each([
    [0, 0.5, 50],
    [1, 0.5, 100],
    [3, 0.5, 400],
    [4, 0.5, 500],
    [9, 0.999, 999],
    [2, 0, 0],
  ])('retry %i with draw %f waits %f ms', (retry, u, ms) => {
    expect(backoffDelay(p, retry, u)).toBeCloseTo(ms, 9);
  });
});
