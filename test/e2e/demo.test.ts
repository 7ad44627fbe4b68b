import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectCharts, inChromium } from '../support/chromium.js';
import { renderReport, type RunSummary, type Summary } from '../../demo/report.js';
import { runDemo } from '../../demo/run-demo.js';
import { silentProgress } from '../../gpu-batch/util/progress.js';
import { DEMO_WORLD } from '../../worlds/families.js';

/**
 * The closed loop end to end, reduced: the same seeded world run with exploration (the batch
 * tier's own epsilon) and without (epsilon 0), through the real worker, S3 server and batch tier.
 */
describe('closed loop (reduced demo)', () => {
  let out: string;
  let explore: RunSummary;
  let greedy: RunSummary;
  let summary: Summary;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'slatecast-e2e-'));
    // The demo's own defaults: a smaller world learns too little per round to show the loop.
    const world = DEMO_WORLD;
    const rounds = 5;
    explore = await runDemo({ rounds, world, epsilon: 'auto', out, label: 'explore', progress: silentProgress });
    greedy = await runDemo({ rounds, world, epsilon: 0, out, label: 'greedy', progress: silentProgress });
    summary = { generated_at: new Date().toISOString(), world: { ...world, rounds }, runs: [explore, greedy] };
    await writeFile(join(out, 'summary.json'), JSON.stringify(summary, null, 2));
    await writeFile(join(out, 'report.html'), await renderReport(summary));
  });

  it('serves every request without error', () => {
    for (const run of [explore, greedy]) for (const r of run.rounds) expect(r.errors).toBe(0);
  });

  it('learns: last-round CTR ≥ 2× the bootstrap round and ≥ 0.7× the oracle', () => {
    const first = explore.rounds[0]!;
    const last = explore.rounds.at(-1)!;
    expect(last.ctr).toBeGreaterThanOrEqual(2 * first.ctr);
    expect(last.ctr).toBeGreaterThanOrEqual(0.7 * last.oracle_ctr);
  });

  it('with exploration, good new items reach the exploited slates within two rounds, and without it fewer are found', () => {
    const lastRound = explore.rounds.at(-1)!.round;
    const eligible = explore.good_item_discovery.filter((d) => d.born_round <= lastRound - 2);
    expect(eligible.length).toBeGreaterThan(0);
    // Exploration is random (seeded by impression ids, which are random UUIDs), so each good item
    // reaches the exploited slates in time only with some probability. Over 21 runs of this test
    // (two sessions' code) 4–9 of 9 did, mean 6.4: a per-item rate of about 0.7, not the 0.86 an
    // earlier bound of "at least half" was sized on (it failed once, at 4 of 9, and 5 of 9 came up
    // in 4 of 21 runs). At least a third: P(fail) ≈ 0.004 at 0.7, 0.02 at 0.6. Without exploration
    // the same world finds 2 of 15 in all (the next assertion separates the two runs).
    const inTime = eligible.filter((d) => d.exploited_after_rounds !== null && d.exploited_after_rounds <= 2);
    expect(inTime.length, JSON.stringify(eligible)).toBeGreaterThanOrEqual(Math.ceil(eligible.length / 3));
    const found = (run: RunSummary) => run.good_item_discovery.filter((d) => d.exploited_after_rounds !== null).length;
    // The claim that separates the two runs: measured 8–10 of 15 with exploration, 3 of 15 without
    // (this release: 9 of 15 with the default 8 clicks per pool item; 6 and 8 with 4).
    expect(found(explore), `explore ${found(explore)}, greedy ${found(greedy)}`).toBeGreaterThanOrEqual(found(greedy) + 3);
  });

  it('the report renders its charts in headless Chromium without console errors', async () => {
    await inChromium(`file://${join(out, 'report.html')}`, (page) => expectCharts(page, ['chart-ctr', 'chart-regret', 'chart-coverage', 'chart-discovery', 'chart-explore']));
  });
});
