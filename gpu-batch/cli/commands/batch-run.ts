import { z } from 'zod';
import { runBatch } from '../../run/run-batch.js';
import { defineCommand, none } from '../command.js';

/** `slatecast batch run`: one retraining round (its flags are the configuration's). */
export const batchRun = defineCommand({
  usage: 'batch run                    one retraining round: ingest logs, train, gate, publish',
  flags: z.object({}),
  positionals: none,
  async run({ config, store, progress, out }) {
    const r = await runBatch(config, { store, progress });
    out.write(`${JSON.stringify({ run_id: r.run_id, status: r.status, version: r.version, decision: r.decision, gate: r.gate, counts: r.counts, quarantined: r.quarantined.length, report: `${config.workDir}/reports/${r.run_id}.md` })}\n`);
    return 0;
  },
});
