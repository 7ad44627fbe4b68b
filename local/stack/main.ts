/**
 * `npm start` / `npx slatecast dev`: the whole stack for one's own site on embedded defaults —
 * S3 server with data under `.slatecast/`, the edge in workerd on wrangler.toml's dev port,
 * `batch serve` on a schedule — until SIGINT/SIGTERM. Exit codes: 0 stopped cleanly, 1 failed,
 * 2 bad usage.
 */
import { streamProgress } from '../../gpu-batch/util/progress.js';
import { parseStackOptions, STACK_USAGE, StackUsageError } from './options.js';
import { startStack } from './start-stack.js';
import { stackSummary } from './summary.js';

/**
 * Runs the stack until a stop signal.
 * @returns the exit code
 */
export async function runStack(argv: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  let o;
  try {
    o = parseStackOptions(argv, env, process.cwd());
  } catch (e) {
    if (!(e instanceof StackUsageError)) throw e;
    process.stderr.write(`slatecast dev: ${e.message}\n${STACK_USAGE}`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(STACK_USAGE);
    return 0;
  }
  const progress = streamProgress();
  // Signals are caught from the start so a Ctrl-C during start-up still stops what was started.
  let signalled: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => {
    signalled = resolve;
  });
  const onSignal = (sig: NodeJS.Signals) => {
    progress.info(`${sig}: stopping`);
    signalled();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    progress.info(`starting the local stack in ${o.dataDir}`);
    const stack = await startStack(o, env, progress);
    takeOverSignals(onSignal);
    const serving = await Promise.race([stack.firstVersion, new Promise<null>((r) => setTimeout(() => r(null), 1500))]);
    process.stdout.write(stackSummary(stack.info, { cwd: process.cwd(), secretsCreated: stack.secretsCreated, every: o.every, serving }));
    if (!serving) {
      void stack.firstVersion.then((v) => progress.info(`first version ${v} is serving at ${stack.info.edge}/v1/slate`));
    }
    await stopRequested;
    progress.info('stopping: batch run in progress (if any), then the edge after its queue drains, then S3');
    await stack.stop();
    progress.info('stopped');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Leaves `handler` as the only SIGINT/SIGTERM listener. Miniflare installs an exit hook that
 * disposes workerd and calls `process.exit` on these signals, which would cut a batch run short
 * and drop the queue's last log batches; its `exit` hook stays, so workerd still goes if the
 * process dies any other way.
 */
function takeOverSignals(handler: (sig: NodeJS.Signals) => void): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    for (const l of process.listeners(sig)) if (l !== handler) process.off(sig, l);
  }
}

const entry = process.argv[1] ?? '';
if (entry.endsWith('local/stack/main.ts') || entry.endsWith('local/stack/main.js')) {
  runStack(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`slatecast dev: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
