import { z } from 'zod';
import type { ImpressionRecord } from '../schemas/impression.js';
import { EpochMs, ItemId } from '../schemas/common.js';
import type { SlateData } from './types.js';

/**
 * One logged slate joined with its rewards: what the slate estimators read, whether it came from
 * this project's impression log (`fromImpression`) or from another system's DSJSON (`fromDsjson`).
 */
export const LoggedSlate = z.object({
  impression_id: z.string().min(1),
  ts: EpochMs.nullable(),
  /** The logging policy's version (VW: `VWState.m`), when known. */
  policy_version: z.string().nullable(),
  items: z.array(
    z.object({
      item_id: ItemId,
      position: z.number().int().nonnegative(),
      /** π_0(item at position): the logged `marginal_position` propensity. */
      propensity: z.number().gt(0).lte(1),
      /** Reward attributed to this position (0 when no event). */
      reward: z.number().finite(),
      /**
       * Whether the exploration pool filled this slot, as epsilon-greedy fills it (a uniform draw
       * from the pool; the ranked items shift down past it): what `examinationCurve` reads. Absent
       * in logs that do not say (DSJSON) and in those of strategies whose marks mean something
       * else (`exploredAsPoolDraw`).
       */
      explored: z.boolean().optional(),
    }),
  ),
});
export type LoggedSlate = z.infer<typeof LoggedSlate>;

/**
 * Whether a logging strategy's `explored` marks are epsilon-greedy's — a uniform pool draw, the
 * ranked items shifting down past it — so the gate's reading curve can use them. Softmax and
 * Thompson mark an item off their greedy order, which is neither.
 * @param strategy the impression's logged `strategy` (its `name`)
 */
export function exploredAsPoolDraw(strategy: { name?: unknown } | null | undefined): boolean {
  return strategy?.name === 'epsilon-greedy' || strategy?.name === 'decaying-epsilon';
}

/**
 * Joins an impression record with the rewards of its positions (explored marks kept only where
 * `exploredAsPoolDraw`).
 * @param rec the `impression/v1` record
 * @param rewards reward per shown item, aligned with `rec.items` (0 for no event)
 * @throws RangeError when the lengths differ
 */
export function fromImpression(rec: ImpressionRecord, rewards: readonly number[]): LoggedSlate {
  if (rewards.length !== rec.items.length) throw new RangeError(`rewards must have one entry per shown item, got ${rewards.length} for ${rec.items.length}`);
  return {
    impression_id: rec.impression_id,
    ts: rec.ts,
    policy_version: rec.policy_version,
    items: rec.items.map((it, j) => ({ item_id: it.item_id, position: it.position, propensity: it.propensity, reward: rewards[j]!, ...(exploredAsPoolDraw(rec.strategy) ? { explored: it.explored } : {}) })),
  };
}

/**
 * The arrays the slate estimators take, with the target policy's probability of each logged
 * (position, item) from `target`.
 * @param logs logged slates
 * @param target π_e(item at position | impression); `index` is the slate's index in `logs`
 */
export function toSlateData(logs: readonly LoggedSlate[], target: (slate: LoggedSlate, position: number, item: string, index: number) => number): SlateData {
  const sorted = logs.map((s) => [...s.items].sort((a, b) => a.position - b.position));
  return {
    rewards: sorted.map((items) => items.map((it) => it.reward)),
    propensities: sorted.map((items) => items.map((it) => it.propensity)),
    targetProbabilities: sorted.map((items, i) => items.map((it) => target(logs[i]!, it.position, it.item_id, i))),
  };
}
