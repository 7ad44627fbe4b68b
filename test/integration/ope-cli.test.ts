import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPointer } from '../../shared/artifact/verify.js';
import { fromDsjson } from '../../shared/ope/dsjson.js';
import type { OpeCommandResult } from '../../gpu-batch/ope/ope-command.js';
import { runBatch } from '../../gpu-batch/run/run-batch.js';
import { SLICE_BUCKETS } from '../../gpu-batch/dataset/eval-slice.js';
import { DAY, T0, seedLogs, testConfig, type SyntheticLogs, runCli } from '../support/batch-fixtures.js';
import { startCliBucket, type CliBucket } from '../support/cli-bucket.js';

/** `slatecast ope` as an operator runs it: local NDJSON, an S3 prefix, DSJSON both ways, exit codes. */
describe('slatecast ope', () => {
  let bucket: CliBucket;
  let s3: CliBucket['s3'];
  let store: CliBucket['store'];
  let work: CliBucket['work'];
  let logs: SyntheticLogs;
  let dir: string;
  let uniform: string;
  let version: string;

  beforeAll(async () => {
    bucket = await startCliBucket();
    ({ s3, store, work } = bucket);
    logs = await seedLogs(store, { users: 150, items: 60, impressionsPerUser: 6, seed: 5, start: T0, spanMs: DAY });
    dir = join(work.dir, 'logs');
    await mkdir(join(dir, 'impressions'), { recursive: true });
    await mkdir(join(dir, 'events'), { recursive: true });
    const half = logs.impressions.length / 2;
    await writeFile(join(dir, 'impressions', 'a.ndjson'), logs.impressions.slice(0, half).map((r) => JSON.stringify(r) + '\n').join(''));
    await writeFile(join(dir, 'impressions', 'b.ndjson'), logs.impressions.slice(half).map((r) => JSON.stringify(r) + '\n').join(''));
    // A replayed object: duplicates must not count twice.
    await writeFile(join(dir, 'impressions', 'c.ndjson'), logs.impressions.slice(0, 50).map((r) => JSON.stringify(r) + '\n').join(''));
    await writeFile(join(dir, 'events', 'a.ndjson'), logs.events.map((r) => JSON.stringify(r) + '\n').join(''));
    // The logging policy itself: ε = 1 explores uniformly over the pool, which is every item but
    // the ranking's top k (those are "shown anyway" and leave the pool), so P(item at l) = 1/50.
    const ids = [...new Set(logs.impressions.flatMap((i) => i.items.map((it) => it.item_id)))];
    expect(ids.length).toBe(50);
    uniform = join(work.dir, 'uniform.json');
    await writeFile(uniform, JSON.stringify({ schema: 'target-policy/v1', name: 'uniform', positions: Array.from({ length: 10 }, () => Object.fromEntries(ids.map((id) => [id, 1 / ids.length]))) }));
    const r = await runBatch(testConfig(work.dir), { store, now: () => T0 + 2 * DAY });
    expect(r.status).toBe('published');
    version = (await readPointer(store))!.pointer.version;
  });

  afterAll(async () => {
    await bucket?.close();
  });

  const cli = (...argv: string[]) => runCli(bucket.env, ...argv);

  /** The JSON that follows the table. */
  function report(out: string): OpeCommandResult {
    return JSON.parse(out.slice(out.indexOf('\n{') + 1)) as OpeCommandResult;
  }
  const row = (r: OpeCommandResult, name: string) => r.estimates.find((e) => e.estimator === name)!;

  it('prints the table and the JSON; the logging policy as target gives back the logged value', async () => {
    const t0 = performance.now();
    const { code, out } = await cli('ope', '--logs', dir, '--target', uniform);
    const ms = performance.now() - t0;
    expect(code).toBe(0);
    for (const name of ['ips', 'clipped-ips', 'snips', 'dr', 'slate-ips', 'clipped-slate-dr', 'logged']) expect(out).toMatch(new RegExp(`^${name}\\s`, 'm'));
    expect(out).toMatch(/^estimator\s+unit\s+estimate\s+CI \(95%\)\s+ESS\s+n$/m);
    const r = report(out);
    expect(r.impressions).toBe(logs.impressions.length);
    expect(r.target).toEqual({ kind: 'file', name: uniform });
    const logged = row(r, 'logged');
    // Rewards: clicks within the 30 min window (late ones earn nothing).
    const late = logs.events.filter((e) => e.received_at - logs.impressions.find((i) => i.impression_id === e.impression_id)!.ts > 30 * 60_000).length;
    expect(logged.estimate * r.impressions).toBeCloseTo(logs.events.length - late, 6);
    expect(row(r, 'slate-ips').estimate).toBeCloseTo(logged.estimate, 9);
    expect(row(r, 'snips').estimate * 10).toBeCloseTo(logged.estimate, 9);
    // DR adds the reward model's mean difference, which is near zero here but not exactly.
    expect(row(r, 'dr').estimate * 10).toBeCloseTo(logged.estimate, 2);
    expect(row(r, 'slate-ips').ess).toBeCloseTo(r.impressions, 6);
    // The gate's slate DR: the logging policy's own weights are 1, so it is the logged value plus
    // the model's mean error on its own slates (cross-fitted): close, not exact.
    expect(row(r, 'clipped-slate-dr').estimate).toBeCloseTo(logged.estimate, 2);
    console.log(`ope on ${r.impressions} impressions (uniform target): ${Math.round(ms)} ms`);
  });

  it('evaluates an artifact version from the bucket, and an S3 prefix gives the same numbers as the local copy', async () => {
    const local = await cli('ope', '--logs', dir, '--target', version, '--clip', '5');
    expect(local.code).toBe(0);
    const a = report(local.out);
    expect(a.target).toEqual({ kind: 'version', name: version });
    expect(row(a, 'clipped-ips').note).toMatch(/clipped at 5/);
    // The trained version beats uniform exploration on these planted-preference logs.
    expect(row(a, 'slate-ips').ci[0]).toBeGreaterThan(row(a, 'logged').ci[1]);
    expect(row(a, 'clipped-slate-dr').ci[0]).toBeGreaterThan(row(a, 'logged').ci[1]);
    const remote = await cli('ope', '--logs', `s3://${s3.bucket}/logs/`, '--target', 'current', '--clip', '5');
    expect(remote.code).toBe(0);
    const b = report(remote.out);
    expect(b.impressions).toBe(a.impressions);
    expect(b.estimates.map((e) => e.estimate)).toEqual(a.estimates.map((e) => e.estimate));
  });

  it('DSJSON round trip: export our logs, read them back with --format dsjson, same estimates', async () => {
    const exported = join(work.dir, 'out.dsjson');
    const out = join(work.dir, 'report.json');
    const first = await cli('ope', '--logs', dir, '--target', version, '--export-dsjson', exported, '--out', out);
    expect(first.code).toBe(0);
    expect(first.out).toContain(`wrote ${out}`);
    const a = JSON.parse(await readFile(out, 'utf8')) as OpeCommandResult;
    const lines = (await readFile(exported, 'utf8')).trim().split('\n');
    expect(lines.length).toBe(logs.impressions.length);
    const one = fromDsjson(lines[0]!);
    expect(one.impression).not.toBeNull();
    expect(one.slate.items.length).toBe(10);
    const second = await cli('ope', '--format', 'dsjson', '--logs', exported, '--target', version);
    expect(second.code).toBe(0);
    const b = report(second.out);
    expect(b.format).toBe('dsjson');
    expect(b.estimates.map((e) => [e.estimator, e.estimate, e.ci])).toEqual(a.estimates.map((e) => [e.estimator, e.estimate, e.ci]));
    // Foreign DSJSON (no impression records) can still be scored by a context-free target.
    const foreign = join(work.dir, 'foreign.dsjson');
    await writeFile(foreign, lines.map((l) => { const o = JSON.parse(l); delete o.c._slatecast; return JSON.stringify(o); }).join('\n'));
    const f = await cli('ope', '--format', 'dsjson', '--logs', foreign, '--target', uniform);
    expect(f.code).toBe(0);
    expect(row(report(f.out), 'slate-ips').estimate).toBeCloseTo(row(a, 'logged').estimate, 9);
    expect((await cli('ope', '--format', 'dsjson', '--logs', foreign, '--target', version)).code).toBe(2);
  });

  it('exits 2 on bad flags and files, writing nothing', async () => {
    const out = join(work.dir, 'never.json');
    const badTarget = join(work.dir, 'bad-target.json');
    await writeFile(badTarget, JSON.stringify({ schema: 'target-policy/v1', name: 'x', positions: [{ a: 0.7, b: 0.7 }] }));
    const badLog = join(work.dir, 'bad-logs');
    await mkdir(badLog, { recursive: true });
    await writeFile(join(badLog, 'x.ndjson'), `${JSON.stringify(logs.impressions[0])}\n{"schema":"impression/v1","impression_id":"x"}\n`);
    const cases: string[][] = [
      ['ope', '--logs', dir, '--target', uniform, '--bogus'],
      ['ope', '--logs', dir],
      ['ope', '--target', uniform],
      ['ope', '--logs', join(work.dir, 'missing'), '--target', uniform, '--out', out],
      ['ope', '--logs', dir, '--target', join(work.dir, 'missing.json'), '--out', out],
      ['ope', '--logs', dir, '--target', badTarget, '--out', out],
      ['ope', '--logs', dir, '--target', 'v20990101T000000Z-abcdef', '--out', out],
      ['ope', '--logs', dir, '--target', uniform, '--format', 'csv', '--out', out],
      ['ope', '--logs', dir, '--target', uniform, '--clip', '0', '--out', out],
      ['ope', '--logs', badLog, '--target', uniform, '--out', out, '--export-dsjson', out],
      ['ope', '--logs', dir, '--format', 'dsjson', '--target', uniform, '--out', out],
    ];
    for (const argv of cases) expect({ argv, code: (await cli(...argv)).code }).toEqual({ argv, code: 2 });
    await expect(stat(out)).rejects.toThrow();
  });

  it('batch run gates by default, records an operator override, and --no-gate turns it off', async () => {
    // A 30% evaluation slice: the default fifth of these 900 impressions is under the gate's minimum of 200.
    const gated = await cli('batch', 'run', '--force', '--force-reason', 'retrain after the incident', '--operator', 'bob', '--epochs', '2', '--gate-slice', '0.3');
    expect(gated.code).toBe(0);
    const a = JSON.parse(gated.out);
    // Judged on the evaluation slice alone: the impressions an independent MD5 of the id puts there.
    const inSlice = logs.impressions.filter((i) => parseInt(createHash('md5').update(i.impression_id).digest('hex').slice(0, 8), 16) % SLICE_BUCKETS < 0.3 * SLICE_BUCKETS).length;
    expect(a.gate).toMatchObject({ gate: 'ope-slate-dr', evaluated: true, n: inSlice, eval_slice: 0.3, tolerance: 0, margin: expect.any(Number), outcome: expect.any(String), override: { operator: 'bob', reason: 'retrain after the incident' } });
    expect(a.gate.difference.n).toBe(inSlice);
    expect(['published', 'rejected']).toContain(a.status);
    expect(a.status).toBe(a.gate.publish ? 'published' : 'rejected');
    const bad = await cli('batch', 'run', '--force-reason', 'no force');
    expect(bad.code).toBe(2);
    const ungated = await cli('batch', 'run', '--force', '--no-gate', '--epochs', '2');
    expect(ungated.code).toBe(0);
    expect(JSON.parse(ungated.out)).toMatchObject({ status: 'published', gate: null });
  });
});
