import { z } from 'zod';
import { opeCommand } from '../../ope/ope-command.js';
import { defineCommand, none } from '../command.js';

/** `slatecast ope`: off-policy estimates of a target on logs. */
export const ope = defineCommand({
  usage: `ope --logs DIR|s3://BUCKET/PREFIX --target VERSION|policy.json
                               off-policy estimates of a target on logs: a table (IPS, clipped IPS,
                               SNIPS, slate IPS, DR), then JSON (--out FILE writes it there instead);
                               --format ndjson|dsjson, --export-dsjson OUT.jsonl, --clip 10,
                               --max-impressions N (newest; default all), --strict (a malformed
                               DSJSON line is an error instead of skipped and counted)`,
  flags: z.object({
    logs: z.string({ error: 'is required (DIR|s3://BUCKET/PREFIX)' }),
    target: z.string({ error: 'is required (VERSION|current|policy.json)' }),
    format: z.enum(['ndjson', 'dsjson'], { error: 'must be ndjson or dsjson' }).default('ndjson'),
    clip: z.coerce.number({ error: 'must be a number > 0' }).gt(0, 'must be a number > 0').max(Number.MAX_VALUE, 'must be finite').default(10),
    'max-impressions': z.coerce.number({ error: 'must be an integer ≥ 2' }).int('must be an integer ≥ 2').min(2, 'must be an integer ≥ 2').optional(),
    out: z.string().optional(),
    'export-dsjson': z.string().optional(),
    strict: z.boolean().default(false),
  }),
  positionals: none,
  async run({ config, store, flags, out }) {
    const r = await opeCommand(
      config,
      { logs: flags.logs, target: flags.target, format: flags.format, clip: flags.clip, maxImpressions: flags['max-impressions'] ?? Infinity, out: flags.out, exportDsjson: flags['export-dsjson'], strict: flags.strict },
      () => store,
    );
    out.write(r.text);
    return 0;
  },
});
