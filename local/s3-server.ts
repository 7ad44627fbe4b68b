import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A running S3-compatible server on loopback (s3rver: real HTTP, ignores signatures). */
export interface S3Server {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

export interface S3ServerOptions {
  /** Where objects live. Given: kept after `stop()` (persistent data); absent: a temp directory removed on stop. */
  directory?: string;
  /** TCP port on 127.0.0.1; 0 (default) = ephemeral. */
  port?: number;
}

/**
 * Starts s3rver on 127.0.0.1 (ephemeral port and a temp directory unless told otherwise), with
 * one bucket, in a child process (see s3rver-process.cjs for why). The child exits with its parent.
 * @param bucket bucket to create (kept as is when the directory already holds it)
 */
export async function startS3Server(bucket = 'slatecast', opts: S3ServerOptions = {}): Promise<S3Server> {
  const directory = opts.directory ?? (await mkdtemp(join(tmpdir(), 's3rver-')));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', new URL('./s3rver-process.cjs', import.meta.url).pathname, directory, bucket, String(opts.port ?? 0)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (l) => resolve((JSON.parse(l) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`s3rver exited with code ${code} before it was ready`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.stdin!.end();
        await exited;
      }
      if (opts.directory === undefined) await rm(directory, { recursive: true, force: true });
    },
  };
}
