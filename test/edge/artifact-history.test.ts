import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ArtifactCache } from '../../edge/artifact/artifact-cache.js';
import { R2Store } from '../../edge/store/r2-store.js';
import { userKey } from '../../shared/crypto/hmac.js';
import { artifactKey, POINTER_KEY, shardFile, shardOf } from '../../shared/artifact/paths.js';
import { readPointer } from '../../shared/artifact/verify.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { harness } from './helpers.js';

interface Healthz {
  status: string;
  version: string | null;
  pointer_version: string | null;
  problem: { code: string; message: string } | null;
  last_error: { message: string } | null;
  refused_version: string | null;
  reason: string | null;
}

const unreachable = () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:9000'));
const slateVersion = async (r: Response) => ((await r.json()) as { policy_version: string }).policy_version;

// The bucket carries over from test to test in this file; each test's edge starts with a cold
// artifact cache, as a freshly started isolate does.
// Harnesses that share `deps` are one isolate seeing other bindings.
describe('pointer history, bad pointers and health', () => {
  const store = new R2Store(env.BUCKET);
  const t0 = Date.now() - 60_000;

  it('1: a cold edge walks back past corrupt newest versions to the newest one that verifies', async () => {
    const v1 = await publishFixture(store, { salt: env.USER_SALT, suffix: 'a11111', now: t0 });
    const v2 = await publishFixture(store, { salt: env.USER_SALT, suffix: 'a22222', now: t0 + 1000 });
    const v3 = await publishFixture(store, { salt: env.USER_SALT, suffix: 'a33333', now: t0 + 2000 });
    expect((await readPointer(store))!.pointer.history?.map((e) => e.version)).toEqual([v2.version, v1.version]);
    // v3's manifest no longer matches CURRENT's checksum; v2's policy no longer matches its manifest.
    await env.BUCKET.put(artifactKey(v3.version, 'manifest.json'), '{"schema":"manifest/v1"}');
    await env.BUCKET.put(artifactKey(v2.version, 'policy.json'), '{"tampered":true}');
    const h = harness();
    const r = await h.call('/v1/slate?user_id=u');
    expect(r.status).toBe(200);
    expect(await slateVersion(r)).toBe(v1.version);
    const hz = (await (await h.call('/healthz')).json()) as Healthz;
    expect(hz).toMatchObject({ status: 'degraded', version: v1.version, pointer_version: v3.version, problem: { code: 'version_refused' } });
    expect(hz.problem!.message).toContain(v3.version);
  });

  it('2: a CURRENT that does not parse is a bad pointer: the cached version serves past the hard TTL', async () => {
    const h = harness({ ARTIFACT_TTL_S: '0.001', ARTIFACT_HARD_TTL_S: '1' });
    const serving = await slateVersion(await h.call('/v1/slate?user_id=u'));
    await env.BUCKET.put(POINTER_KEY, '{"schema":"pointer/v1","vers');
    await new Promise((res) => setTimeout(res, 1200));
    const hz = await h.call('/healthz');
    expect(hz.status).toBe(200);
    expect(await hz.json()).toMatchObject({ status: 'degraded', version: serving, problem: { code: 'bad_pointer' } });
    const r = await h.call('/v1/slate?user_id=u');
    expect(r.status).toBe(200);
    expect(await slateVersion(r)).toBe(serving);
  });

  it('2: a publish replaces a bad pointer (compare-and-swap on its ETag) and health is ok again', async () => {
    const v4 = await publishFixture(store, { salt: env.USER_SALT, suffix: 'a44444' });
    expect((await readPointer(store))!.pointer).toMatchObject({ version: v4.version, previous: null, history: [] });
    const h = harness({ ARTIFACT_TTL_S: '0.001' });
    await h.call('/healthz');
    expect(await (await h.call('/healthz')).json()).toMatchObject({ status: 'ok', version: v4.version, problem: null });
  });

  it('10: health says the store failed without its internals, and is ok on the first check after it recovers', async () => {
    const up = harness();
    expect(await (await up.call('/healthz')).json()).toMatchObject({ status: 'ok' });
    const down = harness({ ARTIFACT_TTL_S: '0.001', BUCKET: { get: unreachable, head: unreachable, list: unreachable, put: unreachable } as unknown as R2Bucket }, up.deps);
    const bad = await down.call('/healthz');
    const text = await bad.text();
    expect(JSON.parse(text)).toMatchObject({ status: 'degraded', problem: { code: 'store_unreachable', message: 'artifact store unreachable' } });
    expect(text).not.toMatch(/ECONNREFUSED|10\.0\.0\.7/);
    // Default TTL (30 s): the check after a failure comes within a second, and /healthz awaits it.
    await new Promise((res) => setTimeout(res, 1100));
    expect(await (await up.call('/healthz')).json()).toMatchObject({ status: 'ok', problem: null });
  });

  it('1: a shard found corrupt on a cold edge (no older version in memory) sends the next check down the history', async () => {
    const items = ['item-9', 'item-8', 'item-7', 'item-6', 'item-5'];
    const good = await publishFixture(store, { salt: env.USER_SALT, suffix: 'a55555', users: { dana: items } });
    const next = await publishFixture(store, { salt: env.USER_SALT, suffix: 'a66666', users: { dana: items } });
    const uk = await userKey(env.USER_SALT, 'dana');
    await env.BUCKET.put(artifactKey(next.version, shardFile(shardOf(uk, 4))), 'truncat');
    const quiet = () => {};
    const cache = new ArtifactCache(quiet, quiet);
    const times = { ttlMs: 30_000, hardTtlMs: 900_000 };
    const pending: Promise<unknown>[] = [];
    const now = Date.now();
    const first = await cache.get(store, now, times, (p) => pending.push(p));
    expect(first.version).toBe(next.version);
    expect(await cache.userCandidates(store, first, uk, now)).toBeNull();
    await cache.get(store, now + 1, times, (p) => pending.push(p));
    await Promise.all(pending);
    expect((await cache.get(store, now + 2, times, () => {})).version).toBe(good.version);
    expect(cache.health().problem).toMatchObject({ code: 'version_refused' });
  });

  it('10: health is 503 misconfigured whenever /v1/* is, and a bad store setting is 503, not 500', async () => {
    for (const overrides of [{ TOKEN_SECRET: 'short' }, { USER_SALT: '' }, { STORE: 's3', S3_ENDPOINT: '' }, { STORE: 'gcs' }]) {
      const h = harness(overrides);
      const hz = await h.call('/healthz');
      expect(hz.status, JSON.stringify(overrides)).toBe(503);
      const body = (await hz.json()) as Healthz;
      expect(body.status).toBe('misconfigured');
      expect(JSON.stringify(body)).not.toContain(env.TOKEN_SECRET);
      const s = await h.call('/v1/slate?user_id=u');
      expect(s.status, JSON.stringify(overrides)).toBe(503);
      expect(await s.json()).toMatchObject({ error: { code: 'misconfigured' } });
    }
  });
});
