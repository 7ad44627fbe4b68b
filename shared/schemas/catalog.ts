import { z } from 'zod';
import { ItemId } from './common.js';

/** One line of `catalog/items.ndjson`. */
export const CatalogItem = z.strictObject({
  id: ItemId,
  title: z.string().max(1000).default(''),
  text: z.string().max(20000).default(''),
  tags: z.array(z.string().min(1).max(64)).max(100).default([]),
  /** ISO-8601 date-time. */
  created_at: z.iso.datetime({ offset: true }),
});
export type CatalogItem = z.infer<typeof CatalogItem>;
