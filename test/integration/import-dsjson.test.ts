import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_PREFIX, IMPRESSIONS_PREFIX } from '../../shared/artifact/paths.js';
import { readPointer } from '../../shared/artifact/verify.js';
import type { ImportResult } from '../../gpu-batch/import/import-command.js';
import { checkLogObject } from '../../gpu-batch/ingest/validate-log.js';
import type { OpeCommandResult } from '../../gpu-batch/ope/ope-command.js';
import { runCli } from '../support/batch-fixtures.js';
import { startCliBucket, type CliBucket } from '../support/cli-bucket.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/dsjson');

/**
 * A Personalizer user's way in: VW's own DSJSON test logs (test/fixtures/dsjson) imported as
 * training logs, then `batch run` trains on them and publishes; `ope --format dsjson` reads the
 * same folder (its `.txt` file included) and reports what it skipped.
 */
describe('slatecast import dsjson', () => {
  let bucket: CliBucket;
  let store: CliBucket['store'];
  let work: CliBucket['work'];
  let logs: string;

  beforeAll(async () => {
    bucket = await startCliBucket();
    ({ store, work } = bucket);
    logs = join(work.dir, 'ds');
    await cp(FIXTURES, logs, { recursive: true });
  });
  afterAll(async () => {
    await bucket?.close();
  });

  const cli = (...argv: string[]) => runCli(bucket.env, ...argv);
  const lastJson = <T>(out: string): T => JSON.parse(out.trim().split('\n').at(-1)!) as T;

  it('imports every decision of the folder as valid log objects, says what it skipped and which files it passed over', async () => {
    const r = await cli('import', 'dsjson', logs);
    expect(r.code).toBe(0);
    const res = lastJson<ImportResult>(r.out);
    // 3 + 23 + 58 + 9 + 1 + 1 + 1 + 2 decisions (dsjson-vw.test.ts reads each file on its own).
    expect(res.dsjson.decisions).toBe(98);
    expect(res.dsjson.skipped).toEqual({ checkpoint: 1, malformed: 3, skip_learn: 2, dangling_observation: 6, no_actions: 0, continuous_action: 1 });
    expect(res.dsjson.passed_over).toEqual([join(logs, 'README.md')]);
    expect(r.out).toMatch(/dsjson: files not read \(name\): 1/);
    expect(res.impressions).toBe(98);
    expect(res.events).toBeGreaterThan(0);
    const listed = [...(await store.list(IMPRESSIONS_PREFIX)), ...(await store.list(EVENTS_PREFIX))];
    expect(listed.map((o) => o.key).sort()).toEqual([...res.objects].sort());
    for (const o of listed) {
      const body = (await store.get(o.key))!.body;
      const check = checkLogObject(body, o.key.startsWith(IMPRESSIONS_PREFIX) ? 'impressions' : 'events');
      expect(check).toMatchObject({ ok: true });
    }
  });

  it('the next batch run trains on them and publishes; importing again adds nothing', async () => {
    const run = await cli('batch', 'run', '--epochs', '2', '--backend', 'wasm');
    expect(run.code).toBe(0);
    const a = JSON.parse(run.out) as { status: string; counts: { impressions: number; events: number } };
    expect(a.status).toBe('published');
    expect(a.counts.impressions).toBe(98);
    expect((await readPointer(store))).not.toBeNull();
    expect((await cli('import', 'dsjson', logs)).code).toBe(0);
    const again = JSON.parse((await cli('batch', 'run', '--epochs', '2', '--backend', 'wasm')).out) as { status: string; counts: { impressions: number } };
    expect(again.counts.impressions).toBe(98);
    expect(again.status).not.toBe('published');
  });

  it('ope --format dsjson reads the folder (the .txt log too) and reports the counts', async () => {
    const target = join(work.dir, 'latte.json');
    await writeFile(target, JSON.stringify({ schema: 'target-policy/v1', name: 'latte', positions: [{ Latte: 1 }] }));
    const only = join(work.dir, 'cb');
    await mkdir(only, { recursive: true });
    await cp(join(FIXTURES, 'dsjson_cb.json'), join(only, 'dsjson_cb.json'));
    await cp(join(FIXTURES, 'b1848_dsjson_parser_regression.txt'), join(only, 'b1848.txt'));
    const r = await cli('ope', '--format', 'dsjson', '--logs', only, '--target', target);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out.slice(r.out.indexOf('\n{') + 1)) as OpeCommandResult;
    expect(rep.impressions).toBe(23);
    expect(rep.dsjson).toMatchObject({ files: 2, lines: 31, decisions: 23, skipped: { checkpoint: 1, skip_learn: 1, dangling_observation: 6 } });
    expect(r.out).toMatch(/^dsjson: skipped: checkpoint 1, skip_learn 1, dangling_observation 6$/m);
    // IPS of "always Latte", computed from the raw lines: Latte is action 3 of every line.
    const raw = (await import('node:fs')).readFileSync(join(FIXTURES, 'dsjson_cb.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { _labelIndex: number; _label_cost: number; _label_probability: number });
    const ips = raw.reduce((s, l) => s + (l._labelIndex === 3 ? -l._label_cost / l._label_probability : 0), 0) / raw.length;
    expect(rep.estimates.find((e) => e.estimator === 'ips')!.estimate).toBeCloseTo(ips, 9);
  });

  it('exits 2 on no decisions, on a malformed line with --strict (naming it), and without files', async () => {
    const none = join(work.dir, 'none');
    await mkdir(none, { recursive: true });
    await cp(join(FIXTURES, 'b1848_dsjson_parser_regression.txt'), join(none, 'b.txt'));
    expect((await cli('import', 'dsjson', none)).code).toBe(2);
    expect((await cli('import', 'dsjson', join(FIXTURES, 'ccb_data_parse_error.json'), '--strict', '--out', join(work.dir, 'strict'))).code).toBe(2);
    expect((await cli('import', 'dsjson')).code).toBe(2);
    expect((await cli('import', 'dsjson', logs, '--surface', 'Not A Surface', '--out', join(work.dir, 'bad-surface'))).code).toBe(2);
    expect((await cli('import', 'dsjson', join(work.dir, 'missing'))).code).toBe(2);
  });
});
