import { z } from 'zod';
import { ItemId, Surface, UserId } from './common.js';

/** Largest k any surface may serve; a surface's own `k_max` may be lower. */
export const K_HARD_CAP = 100;

/** Request context (POST body). */
export const SlateContext = z.strictObject({
  /** Items the user just interacted with, newest first: the wasm scorer builds a query from them. */
  recent_item_ids: z.array(ItemId).max(100).optional(),
  /** Items that must never be shown: already seen, in the cart, out of stock … */
  exclude_item_ids: z.array(ItemId).max(1000).optional(),
  locale: z.string().min(2).max(35).regex(/^[A-Za-z0-9-]+$/).optional(),
});
export type SlateContext = z.infer<typeof SlateContext>;

/** `GET /v1/slate` query string. */
export const SlateQuery = z.strictObject({
  user_id: UserId,
  surface: Surface.optional(),
  // Decimal digits only: `Number()` would also read 0x10, 1e1, " 5" and 0b101 as numbers.
  k: z
    .string()
    .regex(/^[0-9]{1,3}$/, 'must be a decimal integer')
    .transform(Number)
    .pipe(z.number().int().min(1).max(K_HARD_CAP))
    .optional(),
});

/** `POST /v1/slate` body. */
export const SlateRequest = z.strictObject({
  user_id: UserId,
  surface: Surface.optional(),
  k: z.number().int().min(1).max(K_HARD_CAP).optional(),
  context: SlateContext.optional(),
});
export type SlateRequest = z.infer<typeof SlateRequest>;

/** Which step of the scorer chain answered. */
export const SlateSource = z.enum(['cache', 'wasm', 'popularity']);
export type SlateSource = z.infer<typeof SlateSource>;

export const SlateItem = z.object({
  item_id: ItemId,
  position: z.number().int().nonnegative(),
  score: z.number().nullable(),
  propensity: z.number().gt(0).lte(1),
  explored: z.boolean(),
  /** Standard error of a Monte-Carlo propensity (absent when exact). */
  propensity_se: z.number().nonnegative().optional(),
});

/** `exact` (closed form or DP) or `monte_carlo` (replay frequencies with `propensity_se`). */
export const PropensityMethodEnum = z.enum(['exact', 'monte_carlo']);

/** `GET|POST /v1/slate` response (schema `slate/v1`). */
export const SlateResponse = z.object({
  schema: z.literal('slate/v1'),
  impression_id: z.string().uuid(),
  policy_version: z.string(),
  surface: Surface,
  strategy: z.record(z.string(), z.unknown()),
  propensity_type: z.literal('marginal_position'),
  propensity_method: PropensityMethodEnum,
  /** Parameters in force after decay or annealing, e.g. `{ epsilon, n }`. */
  effective_params: z.record(z.string(), z.number()).optional(),
  items: z.array(SlateItem),
  slate_propensity: z.number().gt(0).lte(1),
  source: SlateSource,
  token: z.string(),
});
export type SlateResponse = z.infer<typeof SlateResponse>;
