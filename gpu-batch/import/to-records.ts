import { createHash } from 'node:crypto';
import type { DsjsonDecision } from '../../shared/ope/dsjson-line.js';
import { EventRecord } from '../../shared/schemas/event.js';
import { ImpressionRecord } from '../../shared/schemas/impression.js';

/** The training-log records of one decision. */
export interface DecisionRecords {
  impression: ImpressionRecord;
  events: EventRecord[];
}

/** Settings of an import that are not in the lines. */
export interface RecordOptions {
  surface: string;
  /** Used when a line has no `Timestamp`. */
  now: number;
}

/**
 * A decision as an `impression/v1` record and one `event/v1` click per rewarded slot — the
 * mapping `docs/dsjson.md` documents:
 *
 * - `impression_id` = `EventId`; `ts` = `Timestamp` (else the import time); `policy_version` =
 *   `VWState.m` (else `dsjson`); `strategy` = `{ name: "dsjson", format, pdrop? }`.
 * - `user_key`: a Decision Service line carries no user id, only context features, so the user is
 *   the shared context: SHA-256 of `c` without `_multi`/`_slots` (keys sorted), first 128 bits.
 *   Lines with the same context are one user to the model.
 * - One item per chosen slot, at the slot's position, with the logged probability of the chosen
 *   action as its propensity (exact for CB and slates; for CCB it is the probability given the
 *   earlier slots, see `dsjson.ts`), `explored` when the chosen action was not the most probable.
 * - Rewards are −cost. A slot with reward > 0 becomes a `click` event (value = the reward) at the
 *   decision's time; 0 or negative rewards write no event (this project's rewards are event
 *   weights, `--reward click=1`).
 * - A line `toDsjson` wrote carries its original record, which is used as it is.
 */
export function decisionRecords(d: DsjsonDecision, options: RecordOptions): DecisionRecords {
  const ts = d.ts ?? options.now;
  const impression: ImpressionRecord =
    d.impression ??
    ImpressionRecord.parse({
      schema: 'impression/v1',
      impression_id: d.event_id,
      ts,
      user_key: contextKey(d.shared),
      surface: options.surface,
      policy_version: d.policy_version ?? 'dsjson',
      strategy: { name: 'dsjson', format: d.format, ...(d.pdrop > 0 ? { pdrop: d.pdrop } : {}) },
      propensity_type: 'marginal_position',
      propensity_method: 'exact',
      source: 'cache',
      k: d.slots.length,
      items: d.slots.map((s) => ({ item_id: s.item_id, position: s.position, score: null, propensity: s.propensity, explored: s.explored })),
      // The product of the slots' probabilities; it may underflow for long slates, and must stay > 0.
      slate_propensity: Math.max(Number.MIN_VALUE, d.slots.reduce((p, s) => p * s.propensity, 1)),
      context: { recent_item_ids: [], exclude_item_ids: [], locale: null },
    });
  const byItem = new Map(impression.items.map((it) => [it.item_id, it.position]));
  const events = d.slots
    .filter((s) => s.reward > 0 && byItem.has(s.item_id))
    .map((s) =>
      EventRecord.parse({
        schema: 'event/v1',
        event_id: `${impression.impression_id}:${s.item_id}:click`,
        impression_id: impression.impression_id,
        user_key: impression.user_key,
        item_id: s.item_id,
        position: byItem.get(s.item_id),
        type: 'click',
        value: s.reward,
        ts: impression.ts,
        received_at: impression.ts,
        policy_version: impression.policy_version,
      }),
    );
  return { impression, events };
}

/** SHA-256 of the canonical JSON of a context, first 32 hex digits. */
export function contextKey(shared: Record<string, unknown>): string {
  return createHash('sha256').update(canonical(shared)).digest('hex').slice(0, 32);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
