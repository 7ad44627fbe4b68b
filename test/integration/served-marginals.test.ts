import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VersionTarget } from '../../gpu-batch/ope/policy-view.js';
import type { LoggedImpression } from '../../gpu-batch/ope/lake-slates.js';
import { startEdge, type LocalEdge } from '../../local/start-edge.js';
import { readManifest } from '../../shared/artifact/verify.js';
import { strategies } from '../../shared/explore/index.js';
import { fromImpression } from '../../shared/ope/logged-slate.js';
import { rngForImpression } from '../../shared/rng.js';
import type { SurfaceConfig } from '../../shared/schemas/artifact.js';
import { ImpressionRecord } from '../../shared/schemas/impression.js';
import { SlateResponse, type SlateSource } from '../../shared/schemas/slate.js';
import { useS3Fixture } from '../support/s3-fixture.js';
import { publishFixture } from '../support/fixture-artifact.js';

const SALT = 'served-marginals-salt-0123456789';
const ITEMS = 60;
const DIMS = 16;
const REPLAYS = 2000;
const rng = rngForImpression('served-marginals-matrix');
const values = Float32Array.from({ length: ITEMS * DIMS }, () => rng.next() * 2 - 1);
const cachedItems = Array.from({ length: 24 }, (_, i) => `item-${(i * 7) % 50}`);

/** One surface per strategy of the registry (checked below, so a new strategy needs a surface here). */
const surfaces: Record<string, SurfaceConfig> = {
  eg: { strategy: { name: 'epsilon-greedy', epsilon: 0.3, position_weights: [0.5, 1, 2] }, k_default: 4, k_max: 8 },
  decay: { strategy: { name: 'decaying-epsilon', epsilon_0: 1, epsilon_min: 0.1, tau: 20 }, k_default: 4, k_max: 8 },
  soft: { strategy: { name: 'softmax', temperature_0: 0.5, alpha: 0.1, temperature_min: 0.05, anneal_by: 'history', candidates: 12, replays: REPLAYS }, k_default: 4, k_max: 8 },
  ts: { strategy: { name: 'thompson', prior_alpha: 1, prior_beta: 1, candidates: 12, replays: REPLAYS }, k_default: 4, k_max: 8 },
  ucb: { strategy: { name: 'ucb', c: 1, epsilon: 0.2, prior_alpha: 1, prior_beta: 1, candidates: 12 }, k_default: 4, k_max: 8 },
};

/** Requests that reach each step of the scorer chain. */
const requests: Array<{ user: string; source: SlateSource; context: { recent_item_ids?: string[]; exclude_item_ids?: string[] } }> = [
  { user: 'cached-user', source: 'cache', context: {} },
  { user: 'cached-user', source: 'cache', context: { exclude_item_ids: [cachedItems[0]!, 'item-55'] } },
  { user: 'reader-1', source: 'wasm', context: { recent_item_ids: ['item-5', 'item-17', 'item-42'] } },
  { user: 'reader-2', source: 'wasm', context: { recent_item_ids: ['item-8'], exclude_item_ids: ['item-9', 'item-51'] } },
  { user: 'stranger', source: 'popularity', context: {} },
  { user: 'stranger-2', source: 'popularity', context: { recent_item_ids: ['not-an-item'], exclude_item_ids: ['item-1'] } },
];

/**
 * The gate evaluates what users get: for a published version, every strategy of the registry and
 * requests answered by each step of the chain (cache, wasm, popularity), the propensities the
 * real edge (workerd, S3 server) logs equal `VersionTarget`'s π(logged item at its position) for
 * the logged impression. Exact strategies to 1e-12. Replay-estimated ones (softmax, Thompson)
 * within a binomial bound: the edge logs p̂ = (1 + X)/(R + 1) with standard error se (bias at most
 * 1/(R + 1)), the gate X'/R' from its own R' replays, so |p̂ − π| ≤ 5·sqrt(se² + π(1 − π)/R') +
 * 1/(R + 1) fails by chance with probability < 1e-6 per entry.
 */
describe('the gate’s π equals what the edge serves, for every source and strategy', () => {
  const f = useS3Fixture();
  let edge: LocalEdge;
  let version = '';

  beforeAll(async () => {
    const published = await publishFixture(f.store, {
      salt: SALT,
      items: ITEMS,
      users: { 'cached-user': cachedItems },
      historyLength: 30,
      matrix: { dims: DIMS, values },
      surfaces,
      posteriors: { 'item-3': [40, 5], 'item-50': [2, 30], 'item-14': [9, 9] },
    });
    version = published.version;
    edge = await startEdge({ s3: f.s3, tokenSecret: 'served-marginals-token-0123', userSalt: SALT, quiet: true });
  });

  afterAll(async () => {
    await edge?.stop();
  });

  it('covers every strategy of the registry', () => {
    expect(new Set(Object.values(surfaces).map((s) => s.strategy.name))).toEqual(new Set(Object.keys(strategies)));
  });

  it('logged propensities equal VersionTarget.probabilities', async () => {
    const served = new Map<string, SlateSource>();
    for (const surface of Object.keys(surfaces)) {
      for (const r of requests) {
        const res = await fetch(new URL('/v1/slate', edge.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: r.user, surface, k: 4, context: r.context }) });
        expect(res.status).toBe(200);
        const s = SlateResponse.parse(await res.json());
        expect([s.policy_version, s.source]).toEqual([version, r.source]);
        served.set(s.impression_id, s.source);
      }
    }

    // The impressions as logged (the queue flushes every couple of seconds).
    let logged: ImpressionRecord[] = [];
    for (const deadline = Date.now() + 30_000; logged.length < served.size && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 300));
      logged = [];
      for (const o of await f.store.list('logs/impressions/')) {
        const text = new TextDecoder().decode((await f.store.get(o.key))!.body);
        for (const line of text.split('\n')) if (line) logged.push(ImpressionRecord.parse(JSON.parse(line)));
      }
    }
    expect(logged.map((l) => l.impression_id).sort()).toEqual([...served.keys()].sort());

    const target = await VersionTarget.fromStore(f.store, await readManifest(f.store, version, null));
    const checked = new Set<string>();
    for (const rec of logged) {
      const imp: LoggedImpression = {
        slate: fromImpression(rec, rec.items.map(() => 0)),
        user_key: rec.user_key,
        surface: rec.surface,
        k: rec.k,
        exclude: rec.context.exclude_item_ids,
        recent: rec.context.recent_item_ids,
      };
      const pi = await target.probabilities(imp);
      const items = [...rec.items].sort((a, b) => a.position - b.position);
      expect(pi).toHaveLength(items.length);
      items.forEach((it, j) => {
        const where = `${rec.surface}/${rec.source} ${it.item_id}@${it.position}`;
        if (rec.propensity_method === 'exact') {
          expect(pi[j], where).toBeCloseTo(it.propensity, 12);
        } else {
          const bound = 5 * Math.sqrt((it.propensity_se ?? 0) ** 2 + (pi[j]! * (1 - pi[j]!)) / REPLAYS) + 1 / (REPLAYS + 1);
          expect(Math.abs(pi[j]! - it.propensity), where).toBeLessThanOrEqual(bound);
        }
      });
      checked.add(`${rec.strategy.name}/${rec.source}`);
    }
    expect(checked.size).toBe(Object.keys(surfaces).length * 3);
  });
});
