import { z } from 'zod';
import { rollback } from '../../publish/rollback.js';
import { defineCommand } from '../command.js';

/** `slatecast rollback [version]`: points CURRENT back. */
export const rollbackCommand = defineCommand({
  usage: 'rollback [version]           point artifacts/CURRENT back (default: the most recent earlier version that verifies)',
  flags: z.object({}),
  positionals: (p) => (p.length > 1 ? 'rollback takes at most one version' : null),
  async run({ store, positionals, out }) {
    const r = await rollback(store, Date.now(), positionals[0]);
    out.write(`rolled back: ${r.from} → ${r.to}\n`);
    return 0;
  },
});
