import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectCharts, inChromium } from '../support/chromium.js';
import { silentProgress } from '../../gpu-batch/util/progress.js';
import { FAMILIES, withOverrides } from '../../worlds/families.js';
import { renderWorldsReport } from '../../worlds/report.js';
import { POLICIES } from '../../worlds/round-row.js';
import { runWorld, type WorldRun } from '../../worlds/run-world.js';
import { summarise } from '../../worlds/summary.js';

/**
 * The world suite as an instrument, on a reduced long-tail world (a fifth of the users, rounds
 * 0–2, a worst-first candidate planted in round 2, the site sending its users' recent clicks): it
 * drives the real deployment without error,
 * reads every gate verdict back from the stored run record, values each candidate, its report
 * renders, and what it keeps (`--keep`) replays the gate exactly (`npm run bench:gate`). It asserts
 * nothing about how well slatecast learns: that is what the suite measures.
 */
describe('world suite (reduced long-tail world)', () => {
  let out: string;
  let run: WorldRun;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'slatecast-worlds-e2e-'));
    const params = withOverrides({ ...FAMILIES['long-tail'], seed: 'long-tail-e2e' }, ['users=400', 'newUsersPerRound=20']);
    // Laid out as `npm run worlds -- --keep --out <out>` leaves it, for the replay below.
    await mkdir(join(out, 'long-tail'));
    run = await runWorld({ family: 'long-tail', params, rounds: 2, gate: true, batchFlags: [], plantRounds: new Set([2]), workDir: join(out, 'long-tail', 'long-tail-e2e.world'), keep: true, concurrency: 16, recentItems: 5, progress: silentProgress });
    await writeFile(join(out, 'long-tail', 'long-tail-e2e.json'), JSON.stringify(run));
    const summary = summarise('long-tail', [run]);
    await writeFile(join(out, 'report.html'), await renderWorldsReport([summary], { generated_at: new Date().toISOString(), command: 'e2e' }));
  });

  it('serves every visit of every round without error', () => {
    expect(run.rounds.map((r) => r.round)).toEqual([0, 1, 2]);
    for (const r of run.rounds) {
      expect(r.errors, r.first_error ?? '').toBe(0);
      expect(r.visits).toBeGreaterThan(300);
    }
  });

  it('no policy beats the personalised oracle, and the best list beats random', () => {
    for (const r of run.rounds) {
      for (const k of POLICIES) if (k !== 'slatecast_realised') expect(r.value[k]).toBeLessThanOrEqual(r.value.oracle + 1e-12);
      expect(r.value.best_global).toBeGreaterThan(r.value.random);
    }
  });

  it('reads each gate verdict back from the run record, and values the candidate', () => {
    const [r0, ...later] = run.rounds;
    expect(r0!.gate).toMatchObject({ ran: true, evaluated: false, publish: true, serving_before: null });
    for (const r of later) {
      expect(r.gate.ran).toBe(true);
      expect(r.batch_status).toBe(r.gate.publish ? 'published' : 'rejected');
      if (r.gate.evaluated) expect(Number.isFinite(r.gate.delta_hat)).toBe(true);
      expect(r.gate.true_candidate).toBeGreaterThan(0);
      expect(r.gate.true_serving_before).toBeGreaterThan(0);
      // The version the edge served is the candidate when published, else the one before.
      expect(r.version).toBe(r.gate.publish ? r.gate.candidate : r.gate.serving_before);
    }
  });

  it('the site\'s recent clicks reach the wasm step, ranked with a fitted weight, and the truth values it as served', async () => {
    // Round 2 serves the version learnt from rounds 0–1, whose holdout had impressions with recent items.
    const r2 = run.rounds[2]!;
    expect(r2.sources.wasm ?? 0).toBeGreaterThan(0);
    const art = (v: string, f: string) => readFile(join(out, 'long-tail', 'long-tail-e2e.world', 's3', 'slatecast', 'artifacts', v, `${f}._S3rver_object`), 'utf8');
    const items = JSON.parse(await art(r2.version, 'items.json')) as { dims: number; recent?: { weight: number; cache_weight: number; base_scale: number } };
    const manifest = JSON.parse(await art(r2.version, 'manifest.json')) as { training: { dims: number; recent: { rows: number; wasm: { weight: number }; cache: { weight: number } } } };
    expect(items.dims).toBe(manifest.training.dims + 1);
    expect(items.recent?.weight).toBe(manifest.training.recent.wasm.weight);
    expect(items.recent?.cache_weight).toBe(manifest.training.recent.cache.weight);
    expect(manifest.training.recent.rows).toBeGreaterThan(0);
    // The truth asks the serving view with each visit's recent items: it matches what the edge served.
    expect(Math.abs(r2.serving_view_check! - 1)).toBeLessThan(0.1);
    // And its parts on the same visits: the ranking unexplored, the list strangers get.
    for (const part of [r2.serving_parts!.ranking, r2.serving_parts!.strangers_list]) {
      expect(part).toBeGreaterThan(0);
      expect(part).toBeLessThanOrEqual(1 + 1e-9);
    }
  });

  it('offers the planted candidate to the gate in round 2 only, and values it', () => {
    expect(run.rounds.filter((r) => r.planted).map((r) => r.round)).toEqual([2]);
    const p = run.rounds[2]!.planted!;
    expect(p.ran).toBe(true);
    expect(p.candidate).toMatch(/-planted$/);
    expect(p.true_candidate).toBeGreaterThanOrEqual(0);
    expect(p.true_delta_rel).not.toBeNull();
  });

  it('the kept run replays the gate: the same Δ̂ for every candidate it evaluated, the planted one too', async () => {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/gate-replay.ts', out], { cwd: join(import.meta.dirname, '../..') });
    const replay = JSON.parse(await readFile(join(out, 'gate-replay.json'), 'utf8')) as { rows: Array<{ round: number; kind: string; recorded: number; delta_hat: number; publish: boolean }> };
    const evaluated = run.rounds.flatMap((r) => [r.gate, ...(r.planted ? [r.planted] : [])].filter((g) => g.evaluated).map((g) => ({ round: r.round, g })));
    expect(replay.rows).toHaveLength(evaluated.length);
    expect(replay.rows.some((r) => r.kind === 'planted')).toBe(true);
    for (const row of replay.rows) {
      expect(row.delta_hat).toBeCloseTo(row.recorded, 9);
      const g = evaluated.find((e) => e.round === row.round && (row.kind === 'planted') === /-planted$/.test(e.g.candidate ?? ''))!.g;
      expect(row.publish).toBe(g.publish);
    }
  });

  it('the report renders its charts in headless Chromium without console errors', async () => {
    await inChromium(`file://${join(out, 'report.html')}`, (page) => expectCharts(page, ['chart-long-tail-all', 'chart-long-tail-parts', 'chart-long-tail-cold', 'chart-long-tail-explore']));
  });
});
