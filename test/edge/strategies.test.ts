import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { R2Store } from '../../edge/store/r2-store.js';
import { ImpressionRecord } from '../../shared/schemas/impression.js';
import { SlateResponse } from '../../shared/schemas/slate.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { harness } from './helpers.js';

const items = Array.from({ length: 20 }, (_, i) => `item-${i}`);

describe('surfaces with other strategies from the registry', () => {
  beforeAll(async () => {
    await publishFixture(new R2Store(env.BUCKET), {
      salt: env.USER_SALT,
      users: { fay: items },
      historyLength: 300,
      surfaces: {
        ts: { strategy: { name: 'thompson', prior_alpha: 1, prior_beta: 1, candidates: 20, replays: 400 }, k_default: 4, k_max: 8 },
        decay: { strategy: { name: 'decaying-epsilon', epsilon_0: 1, epsilon_min: 0.05, tau: 10 }, k_default: 4, k_max: 8 },
      },
      // item-19 is a near-certain winner: Thompson should put it first almost always.
      posteriors: { 'item-19': [500, 5], 'item-0': [1, 50] },
    });
  });

  it('thompson reads posteriors.json and logs Monte-Carlo propensities with their standard error', async () => {
    const h = harness();
    const s = SlateResponse.parse(await (await h.call('/v1/slate?user_id=fay&surface=ts')).json());
    expect(s.propensity_method).toBe('monte_carlo');
    // Beta(500, 5) beats a Beta(1, 1) draw ~98.5% of the time each, so item-19 leads most slates
    // and is in (practically) every one of 4: four of the 29 others would all have to draw > 0.98.
    expect(s.items.map((i) => i.item_id)).toContain('item-19');
    for (const it of s.items) expect(it.propensity_se).toBeGreaterThanOrEqual(0);
    const rec = ImpressionRecord.parse(h.sent[0]!.record);
    expect(rec.propensity_method).toBe('monte_carlo');
    expect(rec.replays).toBe(400);
  });

  it('decaying epsilon uses the user history length from the shard (n = 300 → epsilon ≈ 0.05)', async () => {
    const h = harness();
    const s = SlateResponse.parse(await (await h.call('/v1/slate?user_id=fay&surface=decay')).json());
    expect(s.propensity_method).toBe('exact');
    expect(s.effective_params?.epsilon).toBeCloseTo(Math.max(0.05, 1 / (1 + 300 / 10)), 10);
    const anon = SlateResponse.parse(await (await h.call('/v1/slate?user_id=stranger&surface=decay')).json());
    expect(anon.effective_params?.epsilon).toBe(1);
  });
});
