import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Server } from '../s3-server.js';
import type { StackSecrets } from './secrets.js';

/** Where a running stack can be reached; `<dataDir>/stack.json` while it runs. */
export interface StackInfo {
  pid: number;
  edge: string;
  batch: string;
  s3: string;
  bucket: string;
  data_dir: string;
  started_at: string;
}

/** The layout of a stack's data dir. */
export function stackFiles(dataDir: string) {
  return {
    /** s3rver's objects: catalog, logs, artifacts, watermark. */
    s3: join(dataDir, 's3'),
    /** Batch work dir: downloaded logs, the local Parquet lake mirror, run reports. */
    work: join(dataDir, 'batch'),
    secrets: join(dataDir, 'secrets.json'),
    info: join(dataDir, 'stack.json'),
    /** `set -a; . <dir>/stack.env; set +a` points the `slatecast` CLI at this stack. */
    env: join(dataDir, 'stack.env'),
  };
}

/**
 * Refuses a data dir another live stack is using (two s3rvers on one directory would interleave
 * writes). A `stack.json` left by a killed stack is taken over.
 * @returns a function that releases the claim
 */
export async function claimDataDir(infoFile: string): Promise<() => Promise<void>> {
  let text: string | null = null;
  try {
    text = await readFile(infoFile, 'utf8');
  } catch {
    // none: free
  }
  if (text) {
    const pid = (JSON.parse(text) as Partial<StackInfo>).pid;
    if (typeof pid === 'number' && pid !== process.pid && alive(pid)) throw new Error(`another stack (pid ${pid}) is using this data dir; stop it first (see ${infoFile})`);
  }
  await writeFile(infoFile, `${JSON.stringify({ pid: process.pid })}\n`);
  return () => rm(infoFile, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes the variables the batch CLI reads, so `npx slatecast catalog put|status|…` reach this stack. */
export async function writeStackEnv(file: string, info: StackInfo, s3: S3Server, secrets: StackSecrets): Promise<void> {
  const vars = {
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    BATCH_TRIGGER_TOKEN: secrets.BATCH_TRIGGER_TOKEN,
    SLATECAST_EDGE_URL: info.edge,
    SLATECAST_BATCH_URL: info.batch,
  };
  await writeFile(file, Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join(''), { mode: 0o600 });
}
