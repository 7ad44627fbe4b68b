import { ImpressionRecord } from '../schemas/impression.js';
import { exploredAsPoolDraw, LoggedSlate } from './logged-slate.js';
import { readDsjsonLine, type DsjsonDecision, type DsjsonReadOptions, type DsjsonSkipReason } from './dsjson-line.js';

/**
 * Decision Service / Vowpal Wabbit JSON (DSJSON) import and export, one line per impression.
 *
 * Export writes a conditional-contextual-bandit (CCB) line, VW's DSJSON shape for slates: the
 * shown items are the actions (`c._multi`, in slate order, each `{ "item": { "id": … } }`), one
 * slot per position (`c._slots`), and one outcome per slot with the action shown (`_a[0]`, its
 * index in `_multi`), its propensity (`_p[0]`), the cost `_label_cost = −reward` and the observed
 * outcome (`_o`). `EventId` is the impression id, `VWState.m` the policy version. The full
 * `impression/v1` record rides along in `c._slatecast` (VW ignores keys that start with `_`), so
 * import gives back exactly what was exported.
 *
 * Semantics: the exported `_p[0]` is this project's `marginal_position` propensity,
 * P(item at position). VW's own CCB logs hold the probability of the slot's action given the
 * earlier slots' choices; the per-position estimators here need the marginal, and treat imported
 * `_p[0]` as one, which is exact for a slot-independent logging policy and an approximation
 * otherwise (state which when evaluating foreign logs).
 *
 * Import reads every line kind VW's DSJSON reader reads (`dsjson-line.ts`): plain CB lines are
 * slates of length 1, CCB and slates lines one position per slot.
 */

/** One exported DSJSON line (CCB). */
export interface DsjsonCcbLine {
  EventId: string;
  Timestamp: string;
  Version: '1';
  c: {
    _multi: Array<{ item: { id: string } }>;
    _slots: Array<{ _id: string }>;
    _slatecast: { impression: ImpressionRecord };
  };
  _outcomes: Array<{
    _id: string;
    _label_cost: number;
    _a: number[];
    _p: number[];
    _o: Array<{ v: number; EventId: string; ActionTaken: boolean }>;
  }>;
  VWState: { m: string };
}

/**
 * An impression and its per-position rewards as a DSJSON CCB line.
 * @param rec the `impression/v1` record
 * @param rewards reward per shown item, aligned with `rec.items` (0 for no event)
 */
export function toDsjson(rec: ImpressionRecord, rewards: readonly number[]): DsjsonCcbLine {
  if (rewards.length !== rec.items.length) throw new RangeError(`rewards must have one entry per shown item, got ${rewards.length} for ${rec.items.length}`);
  rewards.forEach((r, j) => {
    if (!Number.isFinite(r)) throw new RangeError(`rewards[${j}] must be finite, got ${r}`);
  });
  const slotId = (position: number) => `${rec.impression_id}/${position}`;
  return {
    EventId: rec.impression_id,
    Timestamp: new Date(rec.ts).toISOString(),
    Version: '1',
    c: {
      _multi: rec.items.map((it) => ({ item: { id: it.item_id } })),
      _slots: rec.items.map((it) => ({ _id: slotId(it.position) })),
      _slatecast: { impression: rec },
    },
    _outcomes: rec.items.map((it, j) => ({
      _id: slotId(it.position),
      _label_cost: 0 - rewards[j]!,
      _a: [j],
      _p: [it.propensity],
      _o: rewards[j] === 0 ? [] : [{ v: rewards[j]!, EventId: slotId(it.position), ActionTaken: false }],
    })),
    VWState: { m: rec.policy_version },
  };
}

/** `toDsjson` as one line of text. */
export function toDsjsonLine(rec: ImpressionRecord, rewards: readonly number[]): string {
  return JSON.stringify(toDsjson(rec, rewards));
}

/**
 * The logged slate of a decision read by `readDsjsonLine`: its slots as positions, with their
 * propensities and rewards, and which slots explored when the line is one `toDsjson` wrote of a
 * strategy whose marks are pool draws (`exploredAsPoolDraw`).
 */
export function decisionSlate(d: DsjsonDecision): LoggedSlate {
  const explored = new Map(exploredAsPoolDraw(d.impression?.strategy) ? d.impression?.items.map((it) => [it.position, it.explored]) : []);
  return LoggedSlate.parse({
    impression_id: d.event_id,
    ts: d.ts,
    policy_version: d.policy_version,
    items: d.slots.map((s) => ({ item_id: s.item_id, position: s.position, propensity: s.propensity, reward: s.reward, ...(explored.has(s.position) ? { explored: explored.get(s.position) } : {}) })),
  });
}

/**
 * Reads one DSJSON line that must be a decision (CCB, slates or plain CB; see `readDsjsonLine`
 * for every line kind) into a logged slate; `impression` is the original record when the line
 * was written by `toDsjson`, else null.
 * @throws RangeError `dsjson: …` naming why the line is not a decision
 */
export function fromDsjson(line: unknown, options: DsjsonReadOptions = {}): { slate: LoggedSlate; impression: ImpressionRecord | null } {
  const r = readDsjsonLine(typeof line === 'string' ? line : JSON.stringify(line), options);
  if (r.kind === 'skip') throw new RangeError(`dsjson: ${r.detail ?? SKIP_TEXT[r.reason]}`);
  return { slate: decisionSlate(r.decision), impression: r.decision.impression };
}

/** What each skip reason means, for messages and reports. */
export const SKIP_TEXT: Record<DsjsonSkipReason, string> = {
  checkpoint: 'not a JSON object line (checkpoint / info line)',
  malformed: 'malformed line',
  skip_learn: '_skipLearn is set (the Decision Service did not learn from it)',
  dangling_observation: 'a reward with no decision (dangling observation)',
  no_actions: 'no chosen action (unlabelled decision)',
  continuous_action: 'a continuous-action (CATS) decision, not a choice among items',
};
