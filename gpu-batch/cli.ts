/**
 * Entry point of the `slatecast` batch-tier CLI (bin/slatecast.mjs, `npm run batch -- …`).
 * Everything lives in cli-main.ts so that importing the CLI's pieces never runs a command.
 */
import { main } from './cli-main.js';

process.exitCode = await main(process.argv.slice(2), process.env);
