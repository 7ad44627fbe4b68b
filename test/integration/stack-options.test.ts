import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimDataDir } from '../../local/stack/data-dir.js';
import { parseStackOptions, StackUsageError } from '../../local/stack/options.js';
import { loadOrCreateSecrets } from '../../local/stack/secrets.js';

describe('npm start options', () => {
  it('defaults, then environment, then flags', () => {
    const d = parseStackOptions([], {}, '/srv/site');
    expect(d).toMatchObject({ dataDir: '/srv/site/.slatecast', port: undefined, s3Port: 4568, batchPort: 8788, every: '5m', settle: '3s', help: false });
    const e = parseStackOptions([], { SLATECAST_DATA_DIR: '/data', SLATECAST_PORT: '9000', SLATECAST_S3_PORT: '0' }, '/srv/site');
    expect(e).toMatchObject({ dataDir: '/data', port: 9000, s3Port: 0 });
    const f = parseStackOptions(['--port', '0', '--data-dir', 'd', '--every', '1h'], { SLATECAST_PORT: '9000' }, '/srv/site');
    expect(f).toMatchObject({ dataDir: '/srv/site/d', port: 0, every: '1h' });
  });

  it.each([
    [['--port', '65536'], '--port must be an integer port'],
    [['--s3-port', 'x'], '--s3-port must be an integer port'],
    [['--batch-port=-1'], '--batch-port must be an integer port'],
    [['--nope'], "Unknown option '--nope'"],
    [['extra'], 'Unexpected argument'],
  ])('%j is a usage error naming the flag', (argv, message) => {
    expect(() => parseStackOptions(argv, {}, '/')).toThrow(StackUsageError);
    expect(() => parseStackOptions(argv, {}, '/')).toThrow(message);
  });
});

describe('stack data dir', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps secrets across starts and refuses a damaged or weak secrets file rather than replace it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stack-secrets-'));
    const file = join(dir, 'secrets.json');
    const a = await loadOrCreateSecrets(file);
    const b = await loadOrCreateSecrets(file);
    expect([a.created, b.created]).toEqual([true, false]);
    expect(b.secrets).toEqual(a.secrets);
    await writeFile(file, JSON.stringify({ ...a.secrets, USER_SALT: 'short' }));
    await expect(loadOrCreateSecrets(file)).rejects.toThrow('USER_SALT must be a string of at least 16 characters');
    await writeFile(file, '{');
    await expect(loadOrCreateSecrets(file)).rejects.toThrow('not valid JSON');
  });

  it('refuses a data dir a live stack holds, and takes over one a dead stack left', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stack-claim-'));
    const info = join(dir, 'stack.json');
    // pid 1 is always alive; a pid past pid_max never is.
    await writeFile(info, JSON.stringify({ pid: 1 }));
    await expect(claimDataDir(info)).rejects.toThrow('another stack (pid 1) is using this data dir');
    await writeFile(info, JSON.stringify({ pid: 2 ** 22 + 1 }));
    const release = await claimDataDir(info);
    await release();
  });
});
