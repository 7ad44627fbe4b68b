import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

/** The secrets a local stack needs: the edge's signing keys and the batch trigger's bearer token. */
export const SECRET_NAMES = ['TOKEN_SECRET', 'USER_SALT', 'BATCH_TRIGGER_TOKEN'] as const;
export type StackSecrets = Record<(typeof SECRET_NAMES)[number], string>;

/** 256 random bits, URL-safe: long enough for every secret the edge and batch tier check (≥ 16 chars). */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Reads the stack's secrets, generating them on first run (owner-only file). Every install gets
 * its own: a shared default would let anyone who read this repository forge impression tokens.
 * An existing file is never regenerated silently: a new USER_SALT would orphan every logged
 * user key and a new TOKEN_SECRET would void every token handed out.
 * @param file path of the JSON file
 * @returns the secrets and whether they were created now
 * @throws Error naming the file and field when it exists but is unreadable or weak
 */
export async function loadOrCreateSecrets(file: string): Promise<{ secrets: StackSecrets; created: boolean }> {
  let text: string | null = null;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (text === null) {
    const secrets = Object.fromEntries(SECRET_NAMES.map((n) => [n, randomSecret()])) as StackSecrets;
    await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return { secrets, created: true };
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${file}: not valid JSON (delete it to generate new secrets; tokens already issued stop working)`);
  }
  for (const n of SECRET_NAMES) {
    const v = parsed[n];
    if (typeof v !== 'string' || v.length < 16) throw new Error(`${file}: ${n} must be a string of at least 16 characters`);
  }
  return { secrets: parsed as StackSecrets, created: false };
}
