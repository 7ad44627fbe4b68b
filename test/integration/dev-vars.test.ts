import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { devVarsFrom, ensureDevVars } from '../../local/dev-vars.js';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('predev: .dev.vars generated when absent', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('replaces every change-me secret of the real example with a fresh one and keeps the rest', async () => {
    const example = await readFile(join(ROOT, '.dev.vars.example'), 'utf8');
    let n = 0;
    const out = devVarsFrom(example, () => `generated-secret-${n++}-0123456789`);
    // Commented-out optional settings stay as the example has them (off until someone opts in).
    const active = out.split('\n').filter((l) => !l.startsWith('#'));
    expect(active.join('\n')).not.toMatch(/change-me/);
    expect(out.split('\n').filter((l) => l.startsWith('#'))).toEqual(example.split('\n').filter((l) => l.startsWith('#')));
    expect(out).toMatch(/^TOKEN_SECRET=generated-secret-\d-0123456789$/m);
    expect(out).toMatch(/^USER_SALT=generated-secret-\d-0123456789$/m);
    expect(out).toMatch(/^BATCH_TRIGGER_TOKEN=generated-secret-\d-0123456789$/m);
    expect(out).toMatch(/^S3_ACCESS_KEY_ID=S3RVER$/m);
    expect(n).toBe(3);
  });

  it('writes an owner-only file with distinct secrets once, and never overwrites one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'devvars-'));
    await writeFile(join(dir, '.dev.vars.example'), await readFile(join(ROOT, '.dev.vars.example')));
    expect(await ensureDevVars(dir)).toBe(true);
    const first = await readFile(join(dir, '.dev.vars'), 'utf8');
    const secrets = [...first.matchAll(/^(?:TOKEN_SECRET|USER_SALT|BATCH_TRIGGER_TOKEN)=(.+)$/gm)].map((m) => m[1]!);
    expect(secrets).toHaveLength(3);
    expect(new Set(secrets).size).toBe(3);
    for (const s of secrets) expect(s.length).toBeGreaterThanOrEqual(32);
    expect((await stat(join(dir, '.dev.vars'))).mode & 0o077).toBe(0);
    expect(await ensureDevVars(dir)).toBe(false);
    expect(await readFile(join(dir, '.dev.vars'), 'utf8')).toBe(first);
  });
});
