import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Usage-error helpers of the simulation commands (`npm run demo`, `npm run worlds`): a bad flag
 * prints the message and the usage and exits 2.
 * @param command name printed before the message
 * @param usage the command's usage text
 */
export function cliErrors(command: string, usage: string): {
  fail(msg: string): never;
  int(v: string | undefined, name: string, def: number, min: number, max: number): number;
  parse<O extends Options>(argv: readonly string[], options: O): ReturnType<typeof parseArgs<{ options: O; strict: true }>>['values'];
} {
  const fail = (msg: string): never => {
    process.stderr.write(`${command}: ${msg}\n${usage}\n`);
    process.exit(2);
  };
  return {
    fail,
    /** Strict flags (an unknown one fails); `--help` prints the usage and exits 0. */
    parse(argv, options) {
      if (argv.includes('--help')) {
        process.stdout.write(`${usage}\n`);
        process.exit(0);
      }
      try {
        return parseArgs({ args: [...argv], options, strict: true }).values;
      } catch (e) {
        return fail((e as Error).message);
      }
    },
    /** An integer flag in [min, max], or `def` when absent. */
    int(v, name, def, min, max) {
      if (v === undefined) return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer in [${min}, ${max}], got "${v}"`);
      return n;
    },
  };
}
