import { z } from 'zod';
import { batchStatus, formatStatus } from '../../run/status.js';
import { defineCommand, none } from '../command.js';

/** `slatecast status [--json]`: what serves, how old, the last run. */
export const statusCommand = defineCommand({
  usage: "status [--json]              serving version, age, sizes, last run's metrics",
  flags: z.object({ json: z.boolean().default(false) }),
  positionals: none,
  async run({ store, flags, out }) {
    const s = await batchStatus(store, Date.now());
    out.write(flags.json ? `${JSON.stringify(s, null, 2)}\n` : `${formatStatus(s)}\n`);
    return 0;
  },
});
