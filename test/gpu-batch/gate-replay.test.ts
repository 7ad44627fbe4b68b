import { describe, expect, it } from 'vitest';
import { clickedInTopK, replayEvidence } from '../../gpu-batch/ope/ope-gate.js';
import type { LoggedImpression } from '../../gpu-batch/ope/lake-slates.js';
import { VersionTarget } from '../../gpu-batch/ope/policy-view.js';
import type { Policy } from '../../shared/schemas/artifact.js';

/** A version serving the popularity list `ranked` (no user lists) with epsilon-greedy, k = 3. */
function version(v: string, ranked: string[]): VersionTarget {
  const policy: Policy = {
    schema: 'policy/v1',
    version: v,
    default_surface: 'home',
    surfaces: { home: { strategy: { name: 'epsilon-greedy', epsilon: 0.1 }, k_default: 3, k_max: 3 } },
    exploration_pool: [],
    popularity: ranked.map((item, i) => ({ item, score: ranked.length - i })),
    candidates_per_user: 9,
  };
  return VersionTarget.fromFiles(v, {}, policy);
}

/** Logged slates of 3 whose clicks fell on `clicked` (one impression per click), item `x` excluded in one. */
function logs(clicked: string[]): LoggedImpression[] {
  return clicked.map((c, i) => ({
    slate: { impression_id: `i${i}`, ts: i, policy_version: 'v20260101T000000Z-aaaaaa', items: [c, 'q', 'r'].map((item_id, position) => ({ item_id, position, propensity: 0.9, reward: item_id === c ? 1 : 0 })) },
    user_key: 'a'.repeat(32),
    surface: 'home',
    k: 3,
    exclude: i === 0 ? ['x'] : [],
    recent: [],
  }));
}

describe('the gate\'s replay evidence: what a version\'s own files rank on the logged clicks', () => {
  const catalog = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'x'];
  const serving = version('v20260101T000000Z-aaaaaa', ['x', 'a', 'b', 'c', 'd', 'e', 'f', 'g']);
  const clicks = logs(['c', 'b', 'c', 'a', 'd']);

  it('counts the clicked items in the top k of the version\'s ranking, exclusions left out', async () => {
    // Serving's top 3: x a b; x is excluded from the first impression, whose top 3 is a b c.
    expect(await clickedInTopK(clicks, serving)).toEqual({ hits: 3, clicks: 5 });
  });

  it('passes a candidate whose files rank the clicked items, rejects a worst-first copy of it', async () => {
    const good = version('v20260102T000000Z-bbbbbb', ['a', 'd', 'b', 'c', 'e', 'f', 'g', 'x']);
    const worstFirst = version('v20260102T000000Z-cccccc', [...catalog].reverse().filter((i) => !['a', 'b', 'c', 'd'].includes(i)).concat(['d', 'c', 'b', 'a']));
    const s = await clickedInTopK(clicks, serving);
    expect(replayEvidence(await clickedInTopK(clicks, good), s)).toMatchObject({ publish: true });
    const bad = replayEvidence(await clickedInTopK(clicks, worstFirst), s);
    expect(bad.publish).toBe(false);
    expect(bad.reason).toContain('0 of 5 logged clicks');
  });
});
