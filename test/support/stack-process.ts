import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StackInfo } from '../../local/stack/data-dir.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** `npm start`'s entry as a child process on a data dir, every port ephemeral. */
export interface StackProcess {
  child: ChildProcess;
  info: StackInfo;
  stdout(): string;
  stderr(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The script `npm start` runs, from package.json, so the test follows it if it moves. */
export async function startScript(): Promise<string[]> {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [bin, ...args] = pkg.scripts.start!.split(' ');
  if (bin !== 'tsx') throw new Error(`npm start runs "${pkg.scripts.start}"; this helper knows how to run tsx scripts only`);
  return args;
}

/**
 * Starts the stack and waits until `stack.json` names its addresses.
 * @param timeoutMs give up (and kill it) after this long
 */
export async function startStackProcess(dataDir: string, timeoutMs = 60_000): Promise<StackProcess> {
  const args = await startScript();
  const child = spawn(process.execPath, ['--import', 'tsx', ...args, '--data-dir', dataDir, '--port', '0', '--s3-port', '0', '--batch-port', '0', '--every', '0', '--settle', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`stack exited with ${child.exitCode}: ${err}`);
    // The summary is printed after stack.json is complete.
    if (out.includes('slatecast is running')) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`stack not ready within ${timeoutMs} ms: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const info = JSON.parse(await readFile(join(dataDir, 'stack.json'), 'utf8')) as StackInfo;
  return {
    child,
    info,
    stdout: () => out,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
