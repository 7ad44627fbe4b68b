import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { R2Store } from '../../edge/store/r2-store.js';
import { artifactKey, POINTER_KEY, shardFile, shardOf } from '../../shared/artifact/paths.js';
import { userKey } from '../../shared/crypto/hmac.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { harness } from './helpers.js';

/** A store whose every call fails: the object store unreachable from the edge. */
const unreachable: ObjectStore = {
  get: () => Promise.reject(new Error('connect ECONNREFUSED')),
  put: () => Promise.reject(new Error('connect ECONNREFUSED')),
  list: () => Promise.reject(new Error('connect ECONNREFUSED')),
  delete: () => Promise.reject(new Error('connect ECONNREFUSED')),
};

// The bucket carries over from test to test in this file; each test's edge starts cold (its own
// artifact cache), and harnesses that share `deps` are one isolate seeing other bindings.
describe('artifact loading, verification and fallbacks', () => {
  const store = new R2Store(env.BUCKET);
  const fast = { ARTIFACT_TTL_S: '0.001' };

  it('answers 503 with a clear JSON error before anything is published', async () => {
    const h = harness(fast);
    const r = await h.call('/v1/slate?user_id=u');
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({ error: { code: 'no_artifact' } });
    expect((await h.call('/healthz')).status).toBe(503);
  });

  it('serves the first version, then a new one after the pointer moves', async () => {
    const v1 = await publishFixture(store, { salt: env.USER_SALT, suffix: 'aaaaa1', now: Date.now() - 60_000 });
    const h = harness(fast);
    expect(((await (await h.call('/v1/slate?user_id=u')).json()) as { policy_version: string }).policy_version).toBe(v1.version);
    const v2 = await publishFixture(store, { salt: env.USER_SALT, suffix: 'aaaaa2' });
    await h.call('/healthz'); // the TTL has passed: this request triggers the background refresh
    expect(((await (await h.call('/v1/slate?user_id=u')).json()) as { policy_version: string }).policy_version).toBe(v2.version);
  });

  it('refuses a version whose file fails its checksum and keeps serving the last good one', async () => {
    const good = await publishFixture(store, { salt: env.USER_SALT, suffix: 'bbbbb1', users: { carol: ['item-1', 'item-2', 'item-3', 'item-4', 'item-5', 'item-6'] } });
    const h = harness(fast);
    await h.call('/healthz');
    expect(((await h.call('/healthz').then((r) => r.json())) as { version: string }).version).toBe(good.version);
    const bad = await publishFixture(store, { salt: env.USER_SALT, suffix: 'bbbbb2' });
    await env.BUCKET.put(artifactKey(bad.version, 'policy.json'), '{"tampered":true}');
    await h.call('/healthz');
    const hz = (await (await h.call('/healthz')).json()) as { status: string; version: string; last_error: { message: string } };
    expect(hz.version).toBe(good.version);
    expect(hz.status).toBe('degraded');
    expect(hz.last_error.message).toContain(`refused version ${bad.version}`);
    const s = await h.call('/v1/slate?user_id=carol');
    expect(s.status).toBe(200);
    expect(await s.json()).toMatchObject({ policy_version: good.version, source: 'cache' });
  });

  it('a corrupt user shard sends the edge back to the previous version, with no 5xx', async () => {
    const prev = await publishFixture(store, { salt: env.USER_SALT, suffix: 'ccccc1', users: { dave: ['item-9', 'item-8', 'item-7', 'item-6', 'item-5'] } });
    const h = harness(fast);
    await h.call('/healthz');
    await h.call('/healthz');
    const next = await publishFixture(store, { salt: env.USER_SALT, suffix: 'ccccc2', users: { dave: ['item-1', 'item-2', 'item-3', 'item-4', 'item-5'] } });
    const shard = shardFile(shardOf(await userKey(env.USER_SALT, 'dave'), 4));
    await env.BUCKET.put(artifactKey(next.version, shard), 'truncat');
    await h.call('/healthz');
    const first = await h.call('/v1/slate?user_id=dave');
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ policy_version: next.version, source: 'popularity' });
    const after = await h.call('/v1/slate?user_id=dave');
    expect(await after.json()).toMatchObject({ policy_version: prev.version, source: 'cache' });
    expect(((await (await h.call('/healthz')).json()) as { refused_version: string }).refused_version).toBe(next.version);
  });

  it('keeps serving the cached version while the store is unreachable, until the hard TTL', async () => {
    const h = harness(fast);
    const serving = ((await (await h.call('/healthz')).json()) as { version: string }).version;
    const down = harness({ STORE: 'r2', ARTIFACT_TTL_S: '0.001', ARTIFACT_HARD_TTL_S: '2', BUCKET: { get: unreachable.get, head: unreachable.get, list: unreachable.list, put: unreachable.put } as unknown as R2Bucket }, h.deps);
    const r = await down.call('/v1/slate?user_id=u');
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ policy_version: serving });
    await new Promise((res) => setTimeout(res, 2100));
    const late = await down.call('/v1/slate?user_id=u');
    expect(late.status).toBe(503);
    expect(await late.json()).toMatchObject({ error: { code: 'artifact_unavailable' } });
    // The store comes back: the next check succeeds and serving resumes.
    await h.call('/healthz');
    expect((await h.call('/v1/slate?user_id=u')).status).toBe(200);
  });

  it('the pointer is never moved by a failed publish', async () => {
    const before = await env.BUCKET.get(POINTER_KEY).then((o) => o!.text());
    const failing: ObjectStore = { ...store, get: (k) => store.get(k), list: (p, o) => store.list(p, o), delete: (k) => store.delete(k), put: (k, b, o) => (k.endsWith('manifest.json') ? Promise.reject(new Error('503 SlowDown')) : store.put(k, b, o)) };
    await expect(publishFixture(failing, { salt: env.USER_SALT, suffix: 'ddddd1' })).rejects.toThrow(/SlowDown/);
    expect(await env.BUCKET.get(POINTER_KEY).then((o) => o!.text())).toBe(before);
  });
});
