import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { R2Store } from '../../edge/store/r2-store.js';
import { rngForImpression } from '../../shared/rng.js';
import { SlateResponse } from '../../shared/schemas/slate.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { heldBucket } from './held-bucket.js';
import { harness } from './helpers.js';

const ITEMS = 2000;
const DIMS = 32;
const rng = rngForImpression('version-switch-matrix');
const values = Float32Array.from({ length: ITEMS * DIMS }, () => rng.next() * 2 - 1);
/**
 * The isolate's wasm scorer holds one matrix. When a new version starts serving while requests
 * on the old one are still on their way to the wasm step, those requests must pass to the next
 * step (popularity) rather than restart the old matrix load over the new one: that knocked the
 * new version's requests off with ScorerNotReadyError (a 500) and loaded the two matrices back
 * and forth.
 *
 * The interleaving is made, not hoped for: reads of the old version's user shards are held while
 * the pointer moves on (a `/healthz` refresh) and requests on the new version begin its matrix
 * load (held too); the old version's requests then reach the wasm step while it is under way.
 * A request whose own load a newer version superseded finds the scorer not ready for its version
 * (`ScorerNotReadyError`): that, too, passes to the next step.
 */
describe('version switch under concurrent wasm requests', () => {
  const store = new R2Store(env.BUCKET);
  const t0 = Date.now();
  const publish = (suffix: string, i: number) => publishFixture(store, { salt: env.USER_SALT, items: ITEMS, shards: 2, matrix: { dims: DIMS, values }, suffix, now: t0 + i * 1000 });
  const { bucket, hold } = heldBucket(env.BUCKET);
  // Requests never refresh the pointer themselves here (30 s TTL); /healthz on `switcher` does.
  const h = harness({ BUCKET: bucket });
  const switcher = harness({ BUCKET: bucket, ARTIFACT_TTL_S: '0.001' }, h.deps); // the same isolate
  const ask = (i: number) => h.json('/v1/slate', { user_id: `newcomer-${i}`, k: 5, context: { recent_item_ids: [`item-${(i * 37) % ITEMS}`, `item-${(i * 11) % ITEMS}`] } });
  const slate = async (r: Response) => {
    expect(r.status).toBe(200);
    return SlateResponse.parse(await r.json());
  };

  it('serves every request (no 5xx) while the version switches, then the new version from wasm', async () => {
    const old = await publish('a1d001', 0);
    await switcher.call('/healthz');
    expect((await ask(0)).status).toBe(200); // the old version's matrix is loaded

    const fresh = await publish('b2e002', 1);
    const shardsHeld = hold(`artifacts/${old.version}/user-slates/`);
    const matrixHeld = hold(`artifacts/${fresh.version}/items.i8`);
    const served: Array<{ status: number; version?: string; source?: string }> = [];
    const fire = (from: number, to: number) =>
      Promise.all(
        Array.from({ length: to - from }, async (_, j) => {
          const r = await ask(from + j);
          if (r.status !== 200) return void served.push({ status: r.status });
          const s = SlateResponse.parse(await r.json());
          served.push({ status: r.status, version: s.policy_version, source: s.source });
        }),
      );
    const onOld = fire(1, 41); // hold the old version, waiting for its shards
    await shardsHeld.requested;
    await switcher.call('/healthz'); // the new version serves from here on
    const onNew = fire(41, 81); // its matrix load begins, and waits
    await matrixHeld.requested;
    shardsHeld.release(); // the old version's requests reach the wasm step
    await onOld;
    matrixHeld.release();
    await onNew;
    expect(served.filter((s) => s.status !== 200)).toEqual([]);
    expect(served).toHaveLength(80);
    // The old version's requests that waited passed to popularity (those on its shard already
    // read went through before the switch); the new version's were ranked in wasm.
    const count = (v: string, source: string) => served.filter((s) => s.version === v && s.source === source).length;
    expect(count(old.version, 'popularity')).toBeGreaterThan(0);
    expect(count(old.version, 'wasm') + count(old.version, 'popularity')).toBe(40);
    expect(count(fresh.version, 'wasm')).toBe(40);

    // Settled: the new version serves, from its own matrix.
    const last = await slate(await ask(81));
    expect([last.policy_version, last.source]).toEqual([fresh.version, 'wasm']);
  });

  it('a request whose matrix load was superseded by a newer version passes to popularity (no 5xx)', async () => {
    const superseded = await publish('c3f003', 2);
    const matrixHeld = hold(`artifacts/${superseded.version}/items.i8`);
    await switcher.call('/healthz');
    const waiting = ask(100); // begins this version's matrix load, which waits
    await matrixHeld.requested;
    const newest = await publish('d4a004', 3);
    await switcher.call('/healthz');
    const onNewest = await slate(await ask(101)); // loads the newest matrix over the waiting one
    expect([onNewest.policy_version, onNewest.source]).toEqual([newest.version, 'wasm']);
    matrixHeld.release();
    const passed = await slate(await waiting); // its scorer is not ready for its version: next step
    expect([passed.policy_version, passed.source]).toEqual([superseded.version, 'popularity']);
    const after = await slate(await ask(102));
    expect([after.policy_version, after.source]).toEqual([newest.version, 'wasm']);
  });
});
