import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentProgress } from '../../gpu-batch/util/progress.js';
import { FAMILIES } from '../../worlds/families.js';
import { runWorld, type WorldRun } from '../../worlds/run-world.js';

/**
 * A reduced world-suite run in CI: one seed of the drift family (500 items, tastes turning each
 * round, 16 taste dimensions of which the catalog shows 4) through the deployment path — S3,
 * workerd, `slatecast batch run` with the gate on — for 4 rounds, a worst-first candidate planted
 * in round 3. Bounds come from two full runs (seeds 1, 2): over rounds 2–4 slatecast averaged
 * 0.40 and 0.47 of the oracle against the most-clicked list's 0.33 and 0.40 (a lead of 0.06–0.07
 * per seed), and it was ≥ 6× random by round 2. The assertions keep half that lead as margin.
 */
describe('learning in a reduced world (drift family, gate on)', () => {
  let run: WorldRun;

  beforeAll(async () => {
    run = await runWorld({
      family: 'drift',
      params: { ...FAMILIES.drift, seed: 'drift-ci-7' },
      rounds: 4,
      gate: true,
      batchFlags: [],
      plantRounds: new Set([3]),
      workDir: await mkdtemp(join(tmpdir(), 'slatecast-e2e-worlds-')),
      concurrency: 16,
      progress: silentProgress,
    });
  });

  it('serves every visit without error', () => {
    for (const r of run.rounds) expect(r.errors, r.first_error ?? '').toBe(0);
  });

  it('beats the most-clicked list over rounds 2–4 and random by far', () => {
    const rows = run.rounds.filter((r) => r.round >= 2);
    const mean = (pick: (r: (typeof rows)[number]) => number) => rows.reduce((a, r) => a + pick(r), 0) / rows.length;
    const slatecast = mean((r) => r.vs_oracle.slatecast);
    const popularity = mean((r) => r.vs_oracle.popularity);
    expect(slatecast, JSON.stringify(rows.map((r) => r.vs_oracle))).toBeGreaterThanOrEqual(popularity + 0.03);
    for (const r of rows) expect(r.vs_oracle.slatecast).toBeGreaterThan(4 * r.vs_oracle.random);
  });

  it('the gate rejects the planted worst-first candidate', () => {
    const planted = run.rounds.find((r) => r.round === 3)!.planted;
    expect(planted, 'a candidate was planted in round 3').toBeTruthy();
    expect(planted!.publish).toBe(false);
  });
});
