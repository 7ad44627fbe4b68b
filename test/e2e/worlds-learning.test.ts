import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentProgress } from '../../gpu-batch/util/progress.js';
import { FAMILIES } from '../../worlds/families.js';
import { runWorld, type WorldRun } from '../../worlds/run-world.js';

/**
 * Learning, asserted in CI on one world-suite run: the long-tail family (1,500 Zipf-quality items,
 * 2 of 16 taste dimensions in the catalog, cascade clicks) on a seed the tuning never saw, through
 * the deployment path — S3, workerd, `slatecast batch run` with the gate on — rounds 0–5, a
 * worst-first candidate planted in round 3. Bounds from the suite's 3 seeds (README): over rounds
 * 4–5 slatecast led the most-clicked list by 0.079–0.123 of the oracle per round (per-seed means
 * 0.088–0.115, mean 0.106; the previous release 0.085–0.10), so a lead of at least 0.03 is about
 * 4 seed-to-seed standard deviations (≈ 0.015) below the mean and still says it learned more than
 * the most-clicked list; it was ≥ 7× random from round 1 on.
 */
describe('learning in a world it was not tuned on (long-tail family, gate on)', () => {
  let run: WorldRun;

  beforeAll(async () => {
    run = await runWorld({
      family: 'long-tail',
      params: { ...FAMILIES['long-tail'], seed: 'long-tail-ci-7' },
      rounds: 5,
      gate: true,
      batchFlags: [],
      plantRounds: new Set([3]),
      workDir: await mkdtemp(join(tmpdir(), 'slatecast-e2e-learning-')),
      concurrency: 16,
      progress: silentProgress,
    });
  });

  it('serves every visit without error', () => {
    for (const r of run.rounds) expect(r.errors, r.first_error ?? '').toBe(0);
  });

  it('leads the most-clicked list by ≥ 0.03 of the oracle over rounds 4–5, and is far above random from round 1', () => {
    const late = run.rounds.filter((r) => r.round >= 4);
    const mean = (pick: (r: (typeof late)[number]) => number) => late.reduce((a, r) => a + pick(r), 0) / late.length;
    expect(mean((r) => r.vs_oracle.slatecast), JSON.stringify(late.map((r) => r.vs_oracle))).toBeGreaterThanOrEqual(mean((r) => r.vs_oracle.popularity) + 0.03);
    for (const r of run.rounds.filter((x) => x.round >= 1)) expect(r.vs_oracle.slatecast).toBeGreaterThan(4 * r.vs_oracle.random);
  });

  it('the gate rejects the planted worst-first candidate', () => {
    const planted = run.rounds.find((r) => r.round === 3)!.planted;
    expect(planted, 'a candidate was planted in round 3').toBeTruthy();
    expect(planted!.publish).toBe(false);
  });

  it('the gate never holds back a truly better candidate two rounds running (no lock-in)', () => {
    // The suite's 3 long-tail seeds: 11 of 11 truly better candidates published (13 of 13 in the previous release). The slate SNIPS
    // gate before it rejected 2 of 14, and kept stale versions for up to 3 rounds in drift.
    const heldBack = run.rounds.map((r) => r.gate.evaluated && !r.gate.publish && (r.gate.true_delta_rel ?? 0) > 0.05);
    const runs = heldBack.map((h, i) => h && heldBack[i - 1] === true);
    expect(runs.includes(true), JSON.stringify(run.rounds.map((r) => ({ round: r.round, publish: r.gate.publish, true: r.gate.true_delta_rel })))).toBe(false);
  });
});
