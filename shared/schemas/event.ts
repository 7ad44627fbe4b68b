import { z } from 'zod';
import { EpochMs, ItemId, UserKey } from './common.js';

/** Kinds of feedback. `value` carries seconds for dwell, an amount for purchase. */
export const EventType = z.enum(['click', 'purchase', 'dwell', 'add_to_cart', 'dismiss']);
export type EventType = z.infer<typeof EventType>;

/** Largest magnitude of an event's `value` (seconds of dwell, an amount of money). */
export const EVENT_VALUE_MAX = 1e9;
/** How far before the edge's clock a client's event `ts` may lie (7 days). */
export const EVENT_TS_MAX_AGE_MS = 7 * 86_400_000;
/** How far after the edge's clock a client's event `ts` may lie (clock skew, 10 minutes). */
export const EVENT_TS_MAX_AHEAD_MS = 10 * 60_000;

/**
 * Why a client's event time is refused, or null when it lies in
 * [now − EVENT_TS_MAX_AGE_MS, now + EVENT_TS_MAX_AHEAD_MS]. A relative window (not a fixed
 * range) because 0 and 8.64e15 are both valid epoch milliseconds and both nonsense for a click.
 * @param ts the client's `ts`, epoch ms
 * @param now the edge's clock, epoch ms
 */
export function eventTimeProblem(ts: number, now: number): string | null {
  if (ts < now - EVENT_TS_MAX_AGE_MS) return `more than ${EVENT_TS_MAX_AGE_MS / 86_400_000} days in the past`;
  if (ts > now + EVENT_TS_MAX_AHEAD_MS) return `more than ${EVENT_TS_MAX_AHEAD_MS / 60_000} minutes in the future`;
  return null;
}

/** `POST /v1/events` body. */
export const EventRequest = z.strictObject({
  token: z.string().min(1).max(8192),
  item_id: ItemId,
  type: EventType,
  value: z.number().finite().min(-EVENT_VALUE_MAX).max(EVENT_VALUE_MAX).optional(),
  /** Client-chosen id for idempotence; default `<impression_id>:<item_id>:<type>`. */
  event_id: z.string().min(1).max(128).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces').optional(),
  /** Client time of the event; must pass `eventTimeProblem` against the edge's clock. */
  ts: EpochMs.optional(),
});
export type EventRequest = z.infer<typeof EventRequest>;

/** Event log record (`event/v1`): one line of `logs/events/…ndjson`. */
export const EventRecord = z.object({
  schema: z.literal('event/v1'),
  event_id: z.string(),
  impression_id: z.string(),
  user_key: UserKey,
  item_id: ItemId,
  position: z.number().int().nonnegative(),
  type: EventType,
  value: z.number().nullable(),
  /** Client time if sent, else the edge's receive time. */
  ts: EpochMs,
  received_at: EpochMs,
  policy_version: z.string(),
});
export type EventRecord = z.infer<typeof EventRecord>;
