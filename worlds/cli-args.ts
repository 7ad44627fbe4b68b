/**
 * Usage-error helpers of the simulation commands (`npm run demo`, `npm run worlds`): a bad flag
 * prints the message and the usage and exits 2.
 * @param command name printed before the message
 * @param usage the command's usage text
 */
export function cliErrors(command: string, usage: string): {
  fail(msg: string): never;
  int(v: string | undefined, name: string, def: number, min: number, max: number): number;
} {
  const fail = (msg: string): never => {
    process.stderr.write(`${command}: ${msg}\n${usage}\n`);
    process.exit(2);
  };
  return {
    fail,
    /** An integer flag in [min, max], or `def` when absent. */
    int(v, name, def, min, max) {
      if (v === undefined) return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer in [${min}, ${max}], got "${v}"`);
      return n;
    },
  };
}
