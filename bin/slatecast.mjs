#!/usr/bin/env node
// The `slatecast` CLI. Runs the TypeScript sources through tsx so there is no build step.
// `slatecast dev` is the local stack (same as `npm start`); every other command is the batch tier's.
import { register } from 'tsx/esm/api';
register();
if (process.argv[2] === 'dev') {
  const { runStack } = await import('../local/stack/main.ts');
  process.exitCode = await runStack(process.argv.slice(3), process.env);
} else {
  await import('../gpu-batch/cli.ts');
}
