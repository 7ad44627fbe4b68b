import { z } from 'zod';
import { ItemId } from './common.js';

/**
 * `posteriors.json` (optional file of a version): per-item Beta posteriors of the reward rate,
 * for Thompson sampling / UCB strategies at the edge and for OPE. Arrays are parallel to `ids`.
 * Position-debiased: `exposure` counts a showing at position p as θ_p examinations (θ_0 = 1),
 * with θ estimated from explored slots, so an item shown low in slates is not judged as dull.
 */
export const PosteriorsFile = z
  .object({
    schema: z.literal('posteriors/v1'),
    prior: z.object({ alpha: z.number().positive(), beta: z.number().positive() }),
    /** θ_p, examination weight of position p relative to the top slot. */
    position_weights: z.array(z.number().positive()),
    ids: z.array(ItemId),
    alpha: z.array(z.number().positive()),
    beta: z.array(z.number().positive()),
    impressions: z.array(z.number().int().nonnegative()),
    rewarded: z.array(z.number().nonnegative()),
  })
  .refine((p) => [p.alpha, p.beta, p.impressions, p.rewarded].every((a) => a.length === p.ids.length), { message: 'arrays must be parallel to ids' });
export type PosteriorsFile = z.infer<typeof PosteriorsFile>;
