import { z } from 'zod';
import { EpochMs, ItemId, UserKey } from './common.js';

/** Kinds of feedback. `value` carries seconds for dwell, an amount for purchase. */
export const EventType = z.enum(['click', 'purchase', 'dwell', 'add_to_cart', 'dismiss']);
export type EventType = z.infer<typeof EventType>;

/** `POST /v1/events` body. */
export const EventRequest = z.strictObject({
  token: z.string().min(1).max(8192),
  item_id: ItemId,
  type: EventType,
  value: z.number().finite().optional(),
  /** Client-chosen id for idempotence; default `<impression_id>:<item_id>:<type>`. */
  event_id: z.string().min(1).max(128).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces').optional(),
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
