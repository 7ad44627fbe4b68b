import { z } from 'zod';
import { putCatalog } from '../../catalog/catalog-store.js';
import { defineCommand } from '../command.js';

/** `slatecast catalog put <items.ndjson>`: validates and uploads the item catalog, all or nothing. */
export const catalogPut = defineCommand({
  usage: 'catalog put <items.ndjson>   validate and upload the item catalog (all or nothing)',
  flags: z.object({}),
  positionals: (p) => (p.length === 1 ? null : 'catalog put takes one file'),
  async run({ store, positionals, out }) {
    const r = await putCatalog(store, positionals[0]!);
    out.write(`uploaded ${r.items} items to catalog/items.ndjson (sha256 ${r.sha256})\n`);
    return 0;
  },
});
