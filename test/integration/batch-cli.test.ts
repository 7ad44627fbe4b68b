import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_KEY } from '../../shared/artifact/paths.js';
import { readPointer } from '../../shared/artifact/verify.js';
import { S3Store } from '../../gpu-batch/store/s3-store.js';
import { makeWorld } from '../../worlds/synth/world.js';
import { tempWorkDir, runCli } from '../support/batch-fixtures.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';

/** The CLI as an operator uses it, against an S3 server: exit codes, catalog, run, status, rollback. */
describe('slatecast CLI', () => {
  let s3: S3Server;
  let store: S3Store;
  let work: Awaited<ReturnType<typeof tempWorkDir>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    s3 = await startS3Server();
    store = S3Store.fromConfig({ endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
    work = await tempWorkDir();
    env = { S3_ENDPOINT: s3.endpoint, S3_BUCKET: s3.bucket, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey, SLATECAST_WORK_DIR: work.dir };
  });
  afterAll(async () => {
    store?.close();
    await s3?.stop();
    await work?.cleanup();
  });

  const cli = (...argv: string[]) => runCli(env, ...argv);

  it('exits 2 on bad usage and on a bad catalog, uploading nothing', async () => {
    expect((await cli('batch', 'run', '--epochs', 'many')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
    const bad = join(work.dir, 'bad.ndjson');
    await writeFile(bad, '{"id":"a","created_at":"2026-01-01T00:00:00Z"}\n{"id":"b"}\n');
    expect((await cli('catalog', 'put', bad)).code).toBe(2);
    expect(await store.get(CATALOG_KEY)).toBeNull();
    expect((await cli('rollback')).code).toBe(2);
  });

  it('catalog put → batch run → status → another run → rollback', async () => {
    const file = join(work.dir, 'items.ndjson');
    await writeFile(file, makeWorld({ users: 1, items: 80, seed: 1 }).items.map((i) => JSON.stringify(i)).join('\n'));
    expect(await cli('catalog', 'put', file)).toMatchObject({ code: 0, out: expect.stringContaining('uploaded 80 items') });

    const first = await cli('batch', 'run', '--backend', 'cpu');
    expect(first.code).toBe(0);
    const r1 = JSON.parse(first.out);
    expect(r1.status).toBe('published');

    const status = await cli('status', '--json');
    expect(JSON.parse(status.out).serving.version).toBe(r1.version);

    expect(JSON.parse((await cli('batch', 'run')).out).status).toBe('unchanged');
    const r2 = JSON.parse((await cli('batch', 'run', '--force')).out);
    expect(r2.status).toBe('published');
    expect((await readPointer(store))!.pointer.version).toBe(r2.version);

    const rb = await cli('rollback');
    expect(rb).toEqual({ code: 0, out: `rolled back: ${r2.version} → ${r1.version}\n` });
    expect((await readPointer(store))!.pointer).toMatchObject({ version: r1.version, reason: 'rollback' });
    // The batch respects the rollback until new logs arrive.
    expect(JSON.parse((await cli('batch', 'run')).out).status).toBe('unchanged');
    expect((await cli('status')).out).toContain(`serving: ${r1.version} (rollback`);
  });
});
