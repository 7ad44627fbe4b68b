import { z } from 'zod';
import { ItemId } from '../schemas/common.js';
import type { LoggedSlate } from './logged-slate.js';

/** Rounding slack for "each position sums to at most 1". */
const SUM_SLACK = 1e-9;

/**
 * A context-free target policy (`target-policy/v1`, the `policy.json` given to `slatecast ope
 * --target`): for each position l, the probability π_e(item at l) of every item it may show there.
 * Items not listed have probability 0 at that position. Each position's probabilities sum to at
 * most 1 (less when the policy sometimes shows a shorter slate). Being context-free, it can score
 * logs from any system, including DSJSON imports. (Not to be confused with the artifact's
 * `policy.json`, schema `policy/v1`.)
 * @example { "schema": "target-policy/v1", "name": "always-a-b", "positions": [{ "a": 1 }, { "b": 0.5, "c": 0.5 }] }
 */
export const TargetPolicy = z
  .object({
    schema: z.literal('target-policy/v1'),
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    positions: z.array(z.record(ItemId, z.number().min(0).max(1))).min(1),
  })
  .superRefine((p, ctx) => {
    p.positions.forEach((row, l) => {
      const total = Object.values(row).reduce((a, b) => a + b, 0);
      if (total > 1 + SUM_SLACK) ctx.addIssue({ code: 'custom', message: `position ${l} probabilities sum to ${total}, more than 1`, path: ['positions', l] });
    });
  });
export type TargetPolicy = z.infer<typeof TargetPolicy>;

/**
 * π_e(item at position) under a target policy; 0 past its last position or for unlisted items.
 * @example toSlateData(logs, targetPolicyProbability(policy))
 */
export function targetPolicyProbability(policy: TargetPolicy): (slate: LoggedSlate, position: number, item: string) => number {
  return (_slate, position, item) => policy.positions[position]?.[item] ?? 0;
}
