import parsePrometheus from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPointer } from '../../shared/artifact/verify.js';
import { startBatchServer, type BatchServer } from '../../gpu-batch/serve/serve.js';
import { S3Store } from '../../gpu-batch/store/s3-store.js';
import { silentProgress } from '../../gpu-batch/util/progress.js';
import { DAY, T0, seedLogs, tempWorkDir, testConfig } from '../support/batch-fixtures.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';

const TOKEN = 'metrics-test-token-0123456789';

/**
 * `batch serve`'s `/metrics` after real runs against an S3 server, read with an independent
 * parser of the Prometheus text format (parse-prometheus-text-format), not prom-client itself.
 */
describe('batch serve /metrics', () => {
  let s3: S3Server;
  let store: S3Store;
  let work: Awaited<ReturnType<typeof tempWorkDir>>;
  let server: BatchServer;

  beforeAll(async () => {
    s3 = await startS3Server();
    store = S3Store.fromConfig({ endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
    work = await tempWorkDir();
    await seedLogs(store, { users: 80, items: 40, impressionsPerUser: 5, seed: 3, start: T0, spanMs: DAY });
    const config = testConfig(work.dir, { s3: { endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, epochs: 2, serve: { port: 0, everyMs: 0, triggerToken: TOKEN } });
    server = await startBatchServer(config, store, { progress: silentProgress });
  });
  afterAll(async () => {
    await server?.close();
    store?.close();
    await s3?.stop();
    await work?.cleanup();
  });

  const get = (auth?: string) => fetch(`${server.url}/metrics`, { headers: auth ? { authorization: auth } : {} });
  const trigger = async () => {
    const r = await fetch(`${server.url}/trigger`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.status).toBe(202);
    await server.scheduler.idle();
  };

  it('needs the operator bearer token', async () => {
    expect((await get()).status).toBe(401);
    expect((await get('Bearer not-the-token-at-all')).status).toBe(401);
    expect((await fetch(`${server.url}/metrics?token=${TOKEN}`)).status).toBe(401); // no cookie hand-off for scrapers
  });

  it('counts runs, step durations, gate verdicts, lake records, requests, and the serving version age', async () => {
    await trigger(); // first version: published
    await trigger(); // nothing new: unchanged
    const res = await get(`Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = new Map(parsePrometheus(await res.text()).map((f) => [f.name, f]));
    const samples = (name: string) => families.get(name)?.metrics ?? [];
    const value = (name: string, labels: Record<string, string> = {}) =>
      Number(samples(name).find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value);

    expect(families.get('slatecast_batch_runs_total')?.type).toBe('COUNTER');
    expect(value('slatecast_batch_runs_total', { status: 'published' })).toBe(1);
    expect(value('slatecast_batch_runs_total', { status: 'unchanged' })).toBe(1);
    expect(value('slatecast_batch_runs_total', { status: 'failed' })).toBe(0);

    const last = server.scheduler.state().last_run!;
    const runs = families.get('slatecast_batch_run_duration_seconds')!;
    expect(runs.type).toBe('HISTOGRAM');
    expect(Number(runs.metrics[0]!.count)).toBe(2);
    expect(Number(runs.metrics[0]!.buckets!['+Inf'])).toBe(2);
    const runSeconds = Number(runs.metrics[0]!.sum);
    expect(runSeconds).toBeGreaterThan(0);
    const stepTotal = (step: string) => value('slatecast_batch_step_seconds_total', { step });
    const lastStep = (step: string) => value('slatecast_batch_last_step_duration_seconds', { step });
    // Only the publishing run trained: its train time is the whole counter.
    expect(stepTotal('train')).toBeGreaterThan(0);
    expect(lastStep('train')).toBe(stepTotal('train'));
    expect(lastStep('list')).toBeLessThanOrEqual(stepTotal('list')); // two runs listed
    const allSteps = samples('slatecast_batch_step_seconds_total').reduce((t, m) => t + Number(m.value), 0);
    expect(allSteps).toBeLessThanOrEqual(runSeconds + 0.01);
    const pointer = (await readPointer(store))!.pointer;
    expect(value('slatecast_serving_version_info', { version: pointer.version })).toBe(1);
    const age = value('slatecast_serving_version_age_seconds');
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThanOrEqual((Date.now() - pointer.updated_at) / 1000 + 1);

    expect(value('slatecast_lake_records', { kind: 'impressions' })).toBe(last.counts['impressions']);
    expect(value('slatecast_lake_records', { kind: 'impressions' })).toBe(400);
    expect(value('slatecast_batch_records_added_total', { kind: 'impressions' })).toBe(400);
    expect(value('slatecast_quarantined_objects_total')).toBe(0);
    expect(value('slatecast_gate_rejections_in_a_row')).toBe(0);
    expect(value('slatecast_batch_http_requests_total', { method: 'POST', route: '/trigger', status: '202' })).toBe(2);
    expect(value('slatecast_batch_http_requests_total', { method: 'GET', route: '/metrics', status: '401' })).toBe(3);
  });
});
