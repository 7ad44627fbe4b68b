import { EventType } from '../../shared/schemas/event.js';
import { UsageError } from './errors.js';

/** Reward of each event type; types not listed give 0. */
export type RewardMap = Partial<Record<EventType, number>>;

/** Clicks are the reward unless the operator says otherwise. */
export const DEFAULT_REWARDS: RewardMap = { click: 1 };

/**
 * Parses `click=1,purchase=5`.
 * @throws UsageError on an unknown event type or a non-finite or negative value
 */
export function parseRewards(text: string): RewardMap {
  const out: RewardMap = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, value] = part.split('=');
    const type = EventType.safeParse(name);
    if (!type.success) throw new UsageError(`--reward: unknown event type ${JSON.stringify(name)} (one of ${EventType.options.join(', ')})`);
    const v = Number(value);
    if (value === undefined || value.trim() === '' || !Number.isFinite(v) || v < 0) throw new UsageError(`--reward: ${name} needs a non-negative number, got ${JSON.stringify(value)}`);
    out[type.data] = v;
  }
  if (Object.values(out).every((v) => v === 0)) throw new UsageError('--reward: at least one event type needs a positive reward');
  return out;
}
