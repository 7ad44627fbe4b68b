import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EVENTS_PREFIX, IMPRESSIONS_PREFIX } from '../../shared/artifact/paths.js';
import { S3Store } from '../../gpu-batch/store/s3-store.js';
import { SlatecastClient } from '../../client/index.js';
import { S3HttpStore } from '../../edge/store/s3-http-store.js';
import { startS3Server } from '../support/s3-server.js';
import { startStackProcess, type StackProcess } from '../support/stack-process.js';

const ROOT = new URL('../../', import.meta.url).pathname;

async function until<T>(what: string, f: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

async function servingVersion(edge: string): Promise<string | null> {
  const h = (await (await fetch(`${edge}/healthz`)).json()) as { version: string | null };
  return h.version;
}

/** Runs the `slatecast` CLI with the variables the stack wrote to `stack.env`. */
async function cli(args: string[], stackEnv: string): Promise<{ code: number | null; out: string }> {
  const env = { ...process.env };
  for (const line of stackEnv.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  const child = spawn(process.execPath, [join(ROOT, 'bin/slatecast.mjs'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return { code, out };
}

/**
 * `npm start`'s entry as a user runs it: start on an empty data dir, put a catalog with the CLI,
 * get a slate, post a click, trigger a retrain and see it served; Ctrl-C; start again and find
 * everything (the version, the logs, the secrets) where it was.
 */
describe('npm start: the local stack', () => {
  let dir = '';
  let stack: StackProcess | null = null;

  afterAll(async () => {
    await stack?.stop('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves, logs and retrains a catalog, stops cleanly, and keeps its data across restarts', async () => {
    dir = await mkdtemp(join(tmpdir(), 'slatecast-stack-'));
    const dataDir = join(dir, 'data');
    stack = await startStackProcess(dataDir);
    const first = stack.info;
    expect(stack.stdout()).toContain(first.edge);
    expect(stack.stdout()).toContain('npx slatecast catalog put');
    expect(await servingVersion(first.edge)).toBeNull();

    // Secrets are generated per data dir, owner-only.
    const secretsText = await readFile(join(dataDir, 'secrets.json'), 'utf8');
    const secrets = JSON.parse(secretsText) as Record<string, string>;
    expect(secrets.TOKEN_SECRET!.length).toBeGreaterThanOrEqual(32);
    expect(new Set(Object.values(secrets)).size).toBe(3);
    expect((await stat(join(dataDir, 'secrets.json'))).mode & 0o077).toBe(0);

    const items = Array.from({ length: 40 }, (_, i) => JSON.stringify({ id: `item-${i}`, title: `Item ${i}`, tags: [`t${i % 4}`], created_at: '2026-01-01T00:00:00Z' }));
    await writeFile(join(dir, 'items.ndjson'), `${items.join('\n')}\n`);
    const stackEnv = await readFile(join(dataDir, 'stack.env'), 'utf8');
    const put = await cli(['catalog', 'put', join(dir, 'items.ndjson')], stackEnv);
    expect(put.out).toContain('uploaded 40 items');
    expect(put.code).toBe(0);

    // The catalog alone triggers the bootstrap version.
    const bootstrap = await until('the bootstrap version', () => servingVersion(first.edge));
    expect(stack.stderr()).toMatch(/batch run .*\n[\s\S]*published /);

    const slate = await new SlatecastClient({ baseUrl: first.edge }).getSlate({ user_id: 'u1', k: 5 });
    expect(slate.policy_version).toBe(bootstrap);
    expect(slate.items).toHaveLength(5);
    const click = await new SlatecastClient({ baseUrl: first.edge }).postEvent({ token: slate.token, item_id: slate.items[0]!.item_id, type: 'click' });
    expect(click.duplicate).toBe(false);

    const store = S3Store.fromConfig({ endpoint: first.s3, bucket: first.bucket, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    await until('the click in the logs', async () => (await store.list(EVENTS_PREFIX)).length > 0);
    store.close();

    const trigger = await fetch(`${first.batch}/trigger`, { method: 'POST', headers: { authorization: `Bearer ${secrets.BATCH_TRIGGER_TOKEN}` } });
    expect(trigger.status).toBe(202);
    expect((await fetch(`${first.batch}/trigger`, { method: 'POST', headers: { authorization: 'Bearer not-the-token-0123456789' } })).status).toBe(401);
    const retrained = await until('the retrained version', async () => {
      const v = await servingVersion(first.edge);
      return v !== bootstrap && v;
    });
    expect((await fetch(`${first.batch}/status`)).status).toBe(401);
    const status = (await (await fetch(`${first.batch}/status`, { headers: { authorization: `Bearer ${secrets.BATCH_TRIGGER_TOKEN}` } })).json()) as { last_run: { version: string; counts: { events: number } } };
    expect(status.last_run.version).toBe(retrained);
    expect(status.last_run.counts.events).toBe(1);

    // Ctrl-C: a clean stop (exit 0) that releases the data dir.
    expect(await stack.stop('SIGINT')).toBe(0);
    expect(stack.stderr()).toContain('stopped');
    await expect(stat(join(dataDir, 'stack.json'))).rejects.toThrow();

    // Restart on the same data dir: same secrets, same version, same logs.
    stack = await startStackProcess(dataDir);
    const second = stack.info;
    expect(await readFile(join(dataDir, 'secrets.json'), 'utf8')).toBe(secretsText);
    expect(await until('the version after the restart', () => servingVersion(second.edge))).toBe(retrained);
    const store2 = S3Store.fromConfig({ endpoint: second.s3, bucket: second.bucket, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    try {
      expect((await store2.list(IMPRESSIONS_PREFIX)).length).toBeGreaterThan(0);
      expect((await store2.list(EVENTS_PREFIX)).length).toBe(1);
    } finally {
      store2.close();
    }
    // A token issued before the restart still verifies: TOKEN_SECRET came from the data dir.
    const again = await new SlatecastClient({ baseUrl: second.edge }).postEvent({ token: slate.token, item_id: slate.items[1]!.item_id, type: 'click' });
    expect(again).toMatchObject({ accepted: true, duplicate: false });
    // SIGTERM right after the 202: the stop waits for the queue to reach S3, so the event is kept.
    expect(await stack.stop('SIGTERM')).toBe(0);
    stack = null;
    const s3 = await startS3Server('slatecast', { directory: join(dataDir, 's3') });
    const store3 = new S3HttpStore(s3);
    try {
      const ids: string[] = [];
      for (const o of await store3.list(EVENTS_PREFIX)) {
        for (const line of new TextDecoder().decode((await store3.get(o.key))!.body).split('\n')) if (line) ids.push((JSON.parse(line) as { event_id: string }).event_id);
      }
      expect(ids.sort()).toEqual([click.event_id, again.event_id].sort());
    } finally {
      await s3.stop();
    }
  }, 240_000);
});
