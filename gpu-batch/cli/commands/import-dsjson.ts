import { z } from 'zod';
import { Surface } from '../../../shared/schemas/common.js';
import { importDsjsonCommand } from '../../import/import-command.js';
import { defineCommand } from '../command.js';

/** `slatecast import dsjson <files|dirs|s3://…>…`: Decision Service logs as training logs. */
export const importDsjson = defineCommand({
  usage: `import dsjson <files|dirs|s3://BUCKET/PREFIX>…
                               Decision Service (Personalizer) DSJSON logs → impression and event
                               log objects under logs/ (or --out DIR), for the next batch run;
                               --surface NAME (default home), --strict; see docs/dsjson.md`,
  flags: z.object({
    surface: Surface.default('home'),
    strict: z.boolean().default(false),
    out: z.string().optional(),
  }),
  positionals: (p) => (p.length === 0 ? 'import dsjson takes one or more files, folders or s3:// prefixes' : null),
  async run({ config, store, flags, positionals, out }) {
    const r = await importDsjsonCommand(config, { surface: flags.surface, strict: flags.strict, out: flags.out ?? null }, positionals, () => store);
    out.write(r.text);
    return 0;
  },
});
