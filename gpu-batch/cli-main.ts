import { parseCommandFlags, type Command } from './cli/command.js';
import { COMMANDS } from './cli/commands/index.js';
import { parseCli, USAGE } from './cli/parse-cli.js';
import { loadConfig } from './config/config.js';
import { UsageError } from './config/errors.js';
import { S3Store } from './store/s3-store.js';
import { silentProgress, streamProgress } from './util/progress.js';

/**
 * The `slatecast` CLI as a function: parses argv and env once, runs one command (cli/commands/).
 * @returns the process exit code: 0 ok, 1 the command failed, 2 bad usage (flags, env, input files)
 */
export async function main(argv: readonly string[], env: Record<string, string | undefined>, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  let store: S3Store | null = null;
  try {
    const cli = parseCli(argv);
    if (cli.command === 'help') {
      out.write(USAGE);
      return 0;
    }
    const command: Command = COMMANDS[cli.command];
    const flags = parseCommandFlags(cli.command, command.flags, cli.flags);
    const config = loadConfig(env, cli.flags);
    const progress = config.quiet ? silentProgress : streamProgress();
    store = S3Store.fromConfig(config.s3);
    return await command.run({ config, store, progress, out, flags, positionals: cli.positionals });
  } catch (e) {
    process.stderr.write(`slatecast: ${(e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  } finally {
    store?.close();
  }
}
