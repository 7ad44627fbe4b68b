import { z } from 'zod';
import { EpochMs, ItemId, Surface, UserKey } from './common.js';
import { PropensityMethodEnum, SlateItem, SlateSource } from './slate.js';

/**
 * Impression log record (`impression/v1`): one line of `logs/impressions/…ndjson`. Holds
 * everything needed to replay the slate and to evaluate other policies off-line: the strategy
 * and its parameters, the propensity definition, per-position items with propensities, and the
 * context that shaped the candidate list. The raw user id never appears, only `user_key`.
 */
export const ImpressionRecord = z.object({
  schema: z.literal('impression/v1'),
  impression_id: z.string(),
  ts: EpochMs,
  user_key: UserKey,
  surface: Surface,
  policy_version: z.string(),
  strategy: z.record(z.string(), z.unknown()),
  propensity_type: z.literal('marginal_position'),
  propensity_method: PropensityMethodEnum.default('exact'),
  /** Monte-Carlo replays behind the propensities, when `propensity_method` is `monte_carlo`. */
  replays: z.number().int().positive().optional(),
  effective_params: z.record(z.string(), z.number()).optional(),
  source: SlateSource,
  k: z.number().int().positive(),
  items: z.array(SlateItem),
  slate_propensity: z.number().gt(0).lte(1),
  context: z.object({
    recent_item_ids: z.array(ItemId),
    exclude_item_ids: z.array(ItemId),
    locale: z.string().nullable(),
  }),
});
export type ImpressionRecord = z.infer<typeof ImpressionRecord>;
