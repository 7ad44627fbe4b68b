/**
 * `predev` (runs before `npm run dev`): writes `.dev.vars` from `.dev.vars.example` when it is
 * absent, with freshly generated secrets, so `wrangler dev` serves instead of answering 503
 * `misconfigured`. An existing `.dev.vars` is never touched.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { randomSecret } from './stack/secrets.js';

/** Names in `.dev.vars.example` whose value is a secret to generate rather than copy. */
const GENERATED = new Set(['TOKEN_SECRET', 'USER_SALT', 'BATCH_TRIGGER_TOKEN']);

/**
 * `.dev.vars` text from the example: generated names get `secret()`, other lines are kept.
 * @example devVarsFrom('TOKEN_SECRET=change-me\nS3_BUCKET=x\n', () => 'r') // 'TOKEN_SECRET=r\nS3_BUCKET=x\n'
 */
export function devVarsFrom(example: string, secret: () => string): string {
  return example.replace(/^([A-Z0-9_]+)=.*$/gm, (line, name: string) => (GENERATED.has(name) ? `${name}=${secret()}` : line));
}

/**
 * Writes `.dev.vars` in `root` unless it exists.
 * @returns true when it was written
 */
export async function ensureDevVars(root: string): Promise<boolean> {
  const example = await readFile(`${root}/.dev.vars.example`, 'utf8');
  try {
    await writeFile(`${root}/.dev.vars`, devVarsFrom(example, randomSecret), { mode: 0o600, flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  if (await ensureDevVars(root)) process.stdout.write('wrote .dev.vars with generated secrets (kept out of git)\n');
}
