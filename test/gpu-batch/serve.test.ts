import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../gpu-batch/run/run-record.js';
import { createServeApp, tokenMatches } from '../../gpu-batch/serve/app.js';
import { BatchScheduler } from '../../gpu-batch/serve/scheduler.js';

const TOKEN = 'serve-test-token-0123456789';

/** A run that finishes when the test says so. */
function gatedRun() {
  let release!: () => void;
  let calls = 0;
  const run = () => {
    calls++;
    return new Promise<RunRecord>((resolve) => {
      release = () => resolve({ run_id: `run-${calls}`, status: 'unchanged', version: null, error: null, decision: 'nothing new', started_at: 1, finished_at: 2, counts: { impressions: 3 }, metrics: {} } as unknown as RunRecord);
    });
  };
  return { run, release: () => release(), calls: () => calls };
}

describe('batch serve endpoint', () => {
  it('POST /trigger needs the bearer token, runs single-flight, and GET /status reports the last run', async () => {
    const g = gatedRun();
    const scheduler = new BatchScheduler(g.run, 0);
    const app = createServeApp(scheduler, TOKEN);
    const post = (auth?: string) => app.request('/trigger', { method: 'POST', headers: auth ? { authorization: auth } : {} });

    expect((await post()).status).toBe(401);
    expect((await post('Bearer wrong-token')).status).toBe(401);
    expect((await post(`Basic ${TOKEN}`)).status).toBe(401);
    expect(g.calls()).toBe(0);

    expect((await post(`Bearer ${TOKEN}`)).status).toBe(202);
    expect((await post(`Bearer ${TOKEN}`)).status).toBe(409);
    const authed = { headers: { authorization: `Bearer ${TOKEN}` } };
    expect((await (await app.request('/status', authed)).json()).running).toBe(true);
    g.release();
    await scheduler.idle();
    const status = await (await app.request('/status', authed)).json();
    expect(status).toMatchObject({ running: false, runs: 1, last_run: { run_id: 'run-1', status: 'unchanged', counts: { impressions: 3 } }, last_error: null });
    expect(g.calls()).toBe(1);
  });

  it('without a configured token the trigger is off, not open', async () => {
    const app = createServeApp(new BatchScheduler(gatedRun().run, 0), undefined);
    expect((await app.request('/trigger', { method: 'POST', headers: { authorization: 'Bearer anything' } })).status).toBe(503);
    expect((await app.request('/status', { headers: { authorization: 'Bearer anything' } })).status).toBe(503);
  });

  it('GET /status takes the same bearer token as /trigger and shows errors as one line', async () => {
    const scheduler = new BatchScheduler(() => Promise.reject(new Error('Parser Error: syntax error at or near "at"\n\nLINE 1: CREATE TEMP TABLE ev (…')), 0);
    const app = createServeApp(scheduler, TOKEN);
    scheduler.trigger();
    await scheduler.idle();
    for (const auth of [undefined, 'Bearer wrong-token', `Basic ${TOKEN}`]) {
      const r = await app.request('/status', { headers: auth ? { authorization: auth } : {} });
      expect(r.status).toBe(401);
      expect(JSON.stringify(await r.json())).not.toContain('Parser Error');
    }
    const ok = await app.request('/status', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect((await ok.json()).last_error).toBe('Parser Error: syntax error at or near "at"');
  });

  it('records a failed run and keeps serving', async () => {
    const scheduler = new BatchScheduler(() => Promise.reject(new Error('store unreachable')), 0);
    expect(scheduler.trigger()).toBe(true);
    await scheduler.idle();
    expect(scheduler.state()).toMatchObject({ running: false, runs: 1, last_error: 'store unreachable' });
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(`${TOKEN} `, TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
  });
});
