import { ImpressionRecord } from '../schemas/impression.js';
import { LoggedSlate } from './logged-slate.js';

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
 * Import also reads plain contextual-bandit lines (one decision: `_labelIndex`,
 * `_label_probability`, `_label_cost`, or the unlabelled `a`/`p`) as slates of length 1.
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

/** Options for reading foreign DSJSON. */
export interface DsjsonImportOptions {
  /**
   * The item id of action `index` of `c._multi`. Default: the `id` of the action's first
   * namespace that has a string `id` (`{ "item": { "id": "x" } }` → `x`), else its own `id`,
   * else the index as a string.
   */
  actionId?: (action: unknown, index: number) => string;
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
 * Reads one DSJSON line (CCB or plain CB) into a logged slate; `impression` is the original
 * record when the line was written by `toDsjson`, else null.
 * @throws RangeError `dsjson: …` naming the first thing wrong
 */
export function fromDsjson(line: string | unknown, options: DsjsonImportOptions = {}): { slate: LoggedSlate; impression: ImpressionRecord | null } {
  let obj: unknown = line;
  if (typeof line === 'string') {
    try {
      obj = JSON.parse(line);
    } catch {
      throw new RangeError('dsjson: not valid JSON');
    }
  }
  if (!isObject(obj)) throw new RangeError('dsjson: a line must be a JSON object');
  const c = obj['c'];
  if (!isObject(c) || !Array.isArray(c['_multi'])) throw new RangeError('dsjson: missing c._multi (the actions)');
  const multi = c['_multi'] as unknown[];
  const actionId = options.actionId ?? defaultActionId;
  const ours = isObject(c['_slatecast']) ? ImpressionRecord.safeParse(c['_slatecast']['impression']) : null;
  const impression = ours?.success ? ours.data : null;

  const items: LoggedSlate['items'] = [];
  const action = (a: unknown, where: string): string => {
    if (!(Number.isInteger(a) && (a as number) >= 0 && (a as number) < multi.length)) throw new RangeError(`dsjson: ${where} must index c._multi (0 … ${multi.length - 1}), got ${String(a)}`);
    return actionId(multi[a as number], a as number);
  };
  const propensity = (p: unknown, where: string): number => {
    if (!(typeof p === 'number' && p > 0 && p <= 1)) throw new RangeError(`dsjson: ${where} must be in (0, 1], got ${String(p)}`);
    return p;
  };
  const reward = (cost: unknown, where: string): number => {
    if (cost === undefined || cost === null) return 0;
    if (!(typeof cost === 'number' && Number.isFinite(cost))) throw new RangeError(`dsjson: ${where} must be a finite number, got ${String(cost)}`);
    return 0 - cost;
  };
  let firstId: string | undefined;
  if (Array.isArray(obj['_outcomes'])) {
    (obj['_outcomes'] as unknown[]).forEach((o, j) => {
      if (!isObject(o) || !Array.isArray(o['_a']) || !Array.isArray(o['_p']) || o['_a'].length === 0) throw new RangeError(`dsjson: _outcomes[${j}] needs non-empty _a and _p`);
      firstId ??= typeof o['_id'] === 'string' ? o['_id'] : undefined;
      items.push({
        item_id: action(o['_a'][0], `_outcomes[${j}]._a[0]`),
        position: j,
        propensity: propensity(o['_p'][0], `_outcomes[${j}]._p[0]`),
        reward: reward(o['_label_cost'], `_outcomes[${j}]._label_cost`),
      });
    });
  } else if (obj['_labelIndex'] !== undefined) {
    items.push({
      item_id: action(obj['_labelIndex'], '_labelIndex'),
      position: 0,
      propensity: propensity(obj['_label_probability'], '_label_probability'),
      reward: reward(obj['_label_cost'], '_label_cost'),
    });
  } else if (Array.isArray(obj['a']) && Array.isArray(obj['p'])) {
    const a = obj['a'][0];
    items.push({ item_id: action(typeof a === 'number' ? a - 1 : a, 'a[0] − 1'), position: 0, propensity: propensity(obj['p'][0], 'p[0]'), reward: 0 });
  } else {
    throw new RangeError('dsjson: neither _outcomes (CCB) nor _labelIndex / a, p (CB) present');
  }
  const id = typeof obj['EventId'] === 'string' ? obj['EventId'] : firstId;
  if (id === undefined || id === '') throw new RangeError('dsjson: missing EventId');
  const ts = typeof obj['Timestamp'] === 'string' ? Date.parse(obj['Timestamp']) : NaN;
  const vw = obj['VWState'];
  const policy = isObject(vw) && typeof vw['m'] === 'string' ? vw['m'] : null;
  const slate = LoggedSlate.parse({ impression_id: id, ts: Number.isFinite(ts) && ts >= 0 ? ts : null, policy_version: policy, items });
  return { slate, impression };
}

function defaultActionId(action: unknown, index: number): string {
  if (isObject(action)) {
    for (const v of Object.values(action)) if (isObject(v) && typeof v['id'] === 'string') return v['id'];
    if (typeof action['id'] === 'string') return action['id'];
  }
  return String(index);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
