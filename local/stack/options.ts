import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** What `npm start` / `npx slatecast dev` was asked for, validated. */
export interface StackOptions {
  /** Everything the stack keeps: objects, batch work files, secrets. */
  dataDir: string;
  /** Edge port; undefined = wrangler.toml's `[dev] port`. 0 = ephemeral. */
  port: number | undefined;
  s3Port: number;
  batchPort: number;
  /** `batch serve` period (a duration such as 5m; 0 = only on trigger). */
  every: string;
  /** How old a log object must be before a run consumes it (see BatchConfig.settleMs). */
  settle: string;
  help: boolean;
}

export const STACK_USAGE = `usage: npm start -- [options]   (or: npx slatecast dev [options])
  --data-dir DIR    where objects, batch work files and secrets live (default .slatecast; env SLATECAST_DATA_DIR)
  --port N          edge port (default: [dev] port of wrangler.toml; env SLATECAST_PORT; 0 = any free port)
  --s3-port N       embedded S3 server port (default 4568; env SLATECAST_S3_PORT)
  --batch-port N    batch serve port (default 8788; env SLATECAST_BATCH_PORT)
  --every D         retrain schedule, e.g. 5m, 1h; 0 = only on POST /trigger (default 5m)
  --settle D        age a log object needs before a run reads it (default 3s; env SLATECAST_SETTLE)
Batch tuning comes from the usual SLATECAST_* variables (see npx slatecast --help).
`;

/** Bad command line or environment: the entry prints it with the usage and exits 2. */
export class StackUsageError extends Error {}

function port(v: string | undefined, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new StackUsageError(`${name} must be an integer port in [0, 65535], got "${v}"`);
  return n;
}

/**
 * Flags win over environment variables, which win over defaults.
 * @param argv arguments after the command
 * @param env usually `process.env`
 * @param cwd where a relative `--data-dir` is resolved
 * @throws StackUsageError naming the bad flag
 */
export function parseStackOptions(argv: readonly string[], env: Record<string, string | undefined>, cwd: string): StackOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        's3-port': { type: 'string' },
        'batch-port': { type: 'string' },
        every: { type: 'string' },
        settle: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new StackUsageError((e as Error).message);
  }
  return {
    dataDir: resolve(cwd, values['data-dir'] ?? (env.SLATECAST_DATA_DIR || '.slatecast')),
    port: port(values.port ?? env.SLATECAST_PORT, '--port'),
    s3Port: port(values['s3-port'] ?? env.SLATECAST_S3_PORT, '--s3-port') ?? 4568,
    batchPort: port(values['batch-port'] ?? env.SLATECAST_BATCH_PORT, '--batch-port') ?? 8788,
    every: values.every ?? '5m',
    // Production waits minutes out for slow writers (BatchConfig.settleMs); the embedded S3 server
    // on loopback writes a log object in milliseconds, and a newcomer wants to see a click count.
    settle: values.settle ?? (env.SLATECAST_SETTLE || '3s'),
    help: values.help === true,
  };
}
