import { ImpressionRecord } from '../schemas/impression.js';
import { hash32 } from '../rng.js';
import { actionIds, isRecord } from './dsjson-action-id.js';

/**
 * One line of a Decision Service JSON (DSJSON) log, read the way Vowpal Wabbit's `--dsjson`
 * reader reads it (`vowpalwabbit/json_parser/src/parse_example_json.cc`,
 * `parse_line_json` / `DecisionServiceState`, and `parse_example_slates_json.cc`):
 *
 * | line | VW | here |
 * | --- | --- | --- |
 * | does not start with `{` (`[CHECKPOINT INFO LINE]` …) | skipped, not counted | skip `checkpoint` |
 * | not valid JSON, bad field, `pdrop` = 1 | `line_parse_error`, skipped (error with `--strict_parse`) | skip `malformed` (with the reason) |
 * | `_skipLearn: true` | `number_skipped_events`, skipped | skip `skip_learn` |
 * | reward only (`RewardValue`, `Observations`, no `c`): a dangling observation | `number_events_zero_actions`, skipped | skip `dangling_observation` |
 * | a decision with no chosen action (no label, CCB/slates without `_outcomes`) | `number_events_zero_actions`, skipped | skip `no_actions` |
 * | CB: `_labelIndex` (0-based into `c._multi`) or `_label_Action` (1-based), `_label_probability`, `_label_cost` | a labelled CB example | a decision of one slot |
 * | CB without a label, with `a` (1-based, chosen first) and `p` | an unlabelled example | a decision of one slot, reward 0, `labelled: false` |
 * | CCB: `_outcomes[j]` with `_a` (indices into `c._multi`, chosen first), `_p`, `_label_cost` | one slot example per outcome | one slot per labelled outcome |
 * | slates (actions carry `_slot_id`): `_outcomes[j]._a` indexes the actions of slot j, one top-level `_label_cost` | slates label | one slot per outcome, the slate's reward shared equally |
 * | continuous action (CATS: `_label_ca` or `pdf`, no `c._multi`) | a `--cats` example | skip `continuous_action`: not a choice among items |
 * | `pdrop` in [0, 1) | example weight ÷ (1 − pdrop) | kept in `pdrop` |
 *
 * Costs are VW's: reward = −cost. `EventId` is the decision's id; a line without one gets a hash
 * of its text (`dsjson-<16 hex>`), so re-reading a file gives the same ids. `Timestamp` keeps its 7 fractional digits in DS files; it is read to
 * the millisecond, as UTC when it has no zone.
 */
export type DsjsonLine = { kind: 'decision'; decision: DsjsonDecision } | { kind: 'skip'; reason: DsjsonSkipReason; detail?: string };

/** Why a line is not a decision (see the table on `DsjsonLine`). */
export const DSJSON_SKIP_REASONS = ['checkpoint', 'malformed', 'skip_learn', 'dangling_observation', 'no_actions', 'continuous_action'] as const;
export type DsjsonSkipReason = (typeof DSJSON_SKIP_REASONS)[number];

/** One shown slot of a decision. */
export interface DsjsonSlot {
  /** The slot's index in the decision (its position). */
  position: number;
  item_id: string;
  /** Index of the chosen action in `c._multi`. */
  action_index: number;
  /** The logged probability of the chosen action (`_p[0]`, `_label_probability`). */
  propensity: number;
  reward: number;
  /** The chosen action was not the most probable one: the logging policy explored. */
  explored: boolean;
}

/** A decision read from one line. */
export interface DsjsonDecision {
  event_id: string;
  ts: number | null;
  /** `VWState.m`, the model that decided (null when absent or `N/A`). */
  policy_version: string | null;
  format: 'cb' | 'ccb' | 'slates';
  /** The chosen slots in position order (unlabelled CCB slots are left out). */
  slots: DsjsonSlot[];
  /** False for a CB line with `a`/`p` and no label (its reward is 0 by default). */
  labelled: boolean;
  /** Probability that the Decision Service dropped a line like this one (0 when absent). */
  pdrop: number;
  /** The shared context: `c` without `_multi` and `_slots`. */
  shared: Record<string, unknown>;
  /** Action ids shortened / de-duplicated in this line (see `actionIds`). */
  shortened_ids: number;
  repeated_ids: number;
  /** The original record when the line was written by `toDsjson`, else null. */
  impression: ImpressionRecord | null;
}

/** Options for reading a DSJSON line. */
export interface DsjsonReadOptions {
  /** Item id of action `index` of `c._multi` (default `rawActionId`, then the index). */
  actionId?: (action: unknown, index: number) => string;
}

class Malformed extends Error {}

/**
 * Reads one DSJSON line (see the table on `DsjsonLine`).
 * @param line the text of one line (blank lines are the caller's to drop)
 * @returns a decision, or why the line is skipped
 */
export function readDsjsonLine(line: string, options: DsjsonReadOptions = {}): DsjsonLine {
  const text = line.trim();
  if (!text.startsWith('{')) return { kind: 'skip', reason: 'checkpoint' };
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return { kind: 'skip', reason: 'malformed', detail: 'not valid JSON' };
  }
  if (!isRecord(obj)) return { kind: 'skip', reason: 'malformed', detail: 'not a JSON object' };
  if (obj['_skipLearn'] === true) return { kind: 'skip', reason: 'skip_learn' };
  try {
    return decision(obj, text, options);
  } catch (e) {
    if (e instanceof Malformed) return { kind: 'skip', reason: 'malformed', detail: e.message };
    throw e;
  }
}

function decision(obj: Record<string, unknown>, text: string, options: DsjsonReadOptions): DsjsonLine {
  const c = obj['c'];
  if (!isRecord(c)) {
    const dangling = 'RewardValue' in obj || 'Observations' in obj || 'EnqueuedTimeUtc' in obj;
    return { kind: 'skip', reason: dangling ? 'dangling_observation' : 'no_actions' };
  }
  const pdrop = obj['pdrop'] ?? 0;
  if (!(typeof pdrop === 'number' && pdrop >= 0 && pdrop < 1)) throw new Malformed(`pdrop must be in [0, 1), got ${String(pdrop)}${pdrop === 1 ? ' (VW refuses pdrop 1 too)' : ''}`);
  const multi = c['_multi'];
  if (!Array.isArray(multi) && ('_label_ca' in obj || 'pdf' in obj)) return { kind: 'skip', reason: 'continuous_action' };
  if (!Array.isArray(multi)) throw new Malformed('missing c._multi (the actions)');
  const ids = actionIds(multi, options.actionId);
  const outcomes = obj['_outcomes'];
  const slotted = multi.length > 0 && multi.every((a) => isRecord(a) && Number.isInteger(a['_slot_id']));
  let format: DsjsonDecision['format'];
  let slots: DsjsonSlot[];
  let labelled = true;
  if (Array.isArray(outcomes) && slotted) {
    format = 'slates';
    slots = slatesSlots(obj, multi, outcomes, ids.ids);
  } else if (Array.isArray(outcomes)) {
    format = 'ccb';
    slots = ccbSlots(outcomes, ids.ids);
  } else {
    format = 'cb';
    const cb = cbSlot(obj, ids.ids);
    slots = cb ? [cb.slot] : [];
    labelled = cb?.labelled ?? false;
  }
  if (slots.length === 0) return { kind: 'skip', reason: 'no_actions' };

  // Slot `_id`s repeat from line to line ("MainArticle"), so only the content can stand in for a missing EventId.
  const eventId = typeof obj['EventId'] === 'string' && obj['EventId'] !== '' ? obj['EventId'] : `dsjson-${hex(hash32(text))}${hex(hash32(text, 0x9e3779b9))}`;
  const vw = obj['VWState'];
  const m = isRecord(vw) && typeof vw['m'] === 'string' && vw['m'] !== '' && vw['m'] !== 'N/A' ? vw['m'] : null;
  const ours = isRecord(c['_slatecast']) ? ImpressionRecord.safeParse(c['_slatecast']['impression']) : null;
  const shared = Object.fromEntries(Object.entries(c).filter(([k]) => k !== '_multi' && k !== '_slots' && k !== '_slatecast'));
  return {
    kind: 'decision',
    decision: { event_id: eventId, ts: timestamp(obj['Timestamp']), policy_version: m, format, slots, labelled, pdrop, shared, shortened_ids: ids.shortened, repeated_ids: ids.repeated, impression: ours?.success ? ours.data : null },
  };
}

/** CB: `_labelIndex` / `_label_Action`, else the unlabelled `a` (1-based) and `p`. */
function cbSlot(obj: Record<string, unknown>, ids: string[]): { slot: DsjsonSlot; labelled: boolean } | null {
  const pmf = topLevelP(obj);
  const a = obj['a'];
  let index: number;
  let propensity: unknown;
  let labelled = true;
  if (obj['_labelIndex'] !== undefined) {
    index = actionIndex(obj['_labelIndex'], ids.length, '_labelIndex');
    propensity = obj['_label_probability'] ?? pmf?.[0];
  } else if (obj['_label_Action'] !== undefined) {
    index = actionIndex(typeof obj['_label_Action'] === 'number' ? obj['_label_Action'] - 1 : obj['_label_Action'], ids.length, '_label_Action − 1');
    propensity = obj['_label_probability'] ?? pmf?.[0];
  } else if (Array.isArray(a) && a.length > 0 && pmf && pmf.length > 0) {
    index = actionIndex(typeof a[0] === 'number' ? a[0] - 1 : a[0], ids.length, 'a[0] − 1');
    propensity = pmf[0];
    labelled = false;
  } else {
    return null;
  }
  const p = probability(propensity, '_label_probability');
  return { slot: { position: 0, item_id: ids[index]!, action_index: index, propensity: p, reward: labelled ? reward(obj['_label_cost'], '_label_cost') : 0, explored: explored(p, pmf) }, labelled };
}

/** CCB: `_a` indexes `c._multi`; a slot without `_a` is unlabelled and left out. */
function ccbSlots(outcomes: unknown[], ids: string[]): DsjsonSlot[] {
  const slots: DsjsonSlot[] = [];
  outcomes.forEach((o, j) => {
    if (!isRecord(o)) throw new Malformed(`_outcomes[${j}] must be an object`);
    const a = numbers(o['_a'], `_outcomes[${j}]._a`);
    if (a.length === 0) return;
    const pmf = numbers(o['_p'], `_outcomes[${j}]._p`);
    const index = actionIndex(a[0], ids.length, `_outcomes[${j}]._a[0]`);
    const earlier = slots.find((s) => s.action_index === index);
    if (earlier) throw new Malformed(`_outcomes[${j}]._a[0] chose action ${index}, which slot ${earlier.position} already shows`);
    const p = probability(pmf[0], `_outcomes[${j}]._p[0]`);
    slots.push({ position: j, item_id: ids[index]!, action_index: index, propensity: p, reward: reward(o['_label_cost'], `_outcomes[${j}]._label_cost`), explored: explored(p, pmf) });
  });
  return slots;
}

/** Slates: `_a` of outcome j indexes the actions whose `_slot_id` is j; one reward for the slate. */
function slatesSlots(obj: Record<string, unknown>, multi: unknown[], outcomes: unknown[], ids: string[]): DsjsonSlot[] {
  if (obj['_label_cost'] === undefined) return [];
  const total = reward(obj['_label_cost'], '_label_cost');
  const slots: DsjsonSlot[] = [];
  outcomes.forEach((o, j) => {
    if (!isRecord(o)) throw new Malformed(`_outcomes[${j}] must be an object`);
    const members = multi.flatMap((a, i) => ((a as Record<string, unknown>)['_slot_id'] === j ? [i] : []));
    const a = numbers(o['_a'], `_outcomes[${j}]._a`);
    if (a.length === 0) throw new Malformed(`_outcomes[${j}]._a is empty`);
    const within = actionIndex(a[0], members.length, `_outcomes[${j}]._a[0] (within slot ${j}'s actions)`);
    const pmf = numbers(o['_p'], `_outcomes[${j}]._p`);
    const p = probability(pmf[0], `_outcomes[${j}]._p[0]`);
    const index = members[within]!;
    slots.push({ position: j, item_id: ids[index]!, action_index: index, propensity: p, reward: 0, explored: explored(p, pmf) });
  });
  // One reward for the whole slate: shared equally, so the per-position rewards sum to it.
  for (const s of slots) s.reward = total / slots.length;
  return slots;
}

/** The later of `p` and `_p` at the top level, as VW keeps the last one it reads. */
function topLevelP(obj: Record<string, unknown>): number[] | null {
  const keys = Object.keys(obj).filter((k) => k === 'p' || k === '_p');
  const v = keys.length ? obj[keys[keys.length - 1]!] : undefined;
  return v === undefined ? null : numbers(v, keys[keys.length - 1]!);
}

function numbers(v: unknown, where: string): number[] {
  if (v === undefined) return [];
  const arr = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(arr) || !arr.every((x) => typeof x === 'number')) throw new Malformed(`${where} must be a number or an array of numbers`);
  return arr as number[];
}

function actionIndex(a: unknown, n: number, where: string): number {
  if (!(Number.isInteger(a) && (a as number) >= 0 && (a as number) < n)) throw new Malformed(`${where} must index the actions (0 … ${n - 1}), got ${String(a)}`);
  return a as number;
}

function probability(p: unknown, where: string): number {
  if (!(typeof p === 'number' && p > 0 && p <= 1)) throw new Malformed(`${where} must be in (0, 1], got ${String(p)}`);
  return p;
}

function reward(cost: unknown, where: string): number {
  if (cost === undefined || cost === null) return 0;
  if (!(typeof cost === 'number' && Number.isFinite(cost))) throw new Malformed(`${where} must be a finite number, got ${String(cost)}`);
  return cost === 0 ? 0 : -cost;
}

function explored(p: number, pmf: readonly number[] | null): boolean {
  return pmf !== null && pmf.length > 1 && p < Math.max(...pmf) - 1e-9;
}

/** DS writes 7 fractional digits and sometimes no zone; read it to the ms, as UTC. */
function timestamp(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(v.trim());
  if (!m) return null;
  const t = Date.parse(`${m[1]}${m[2] ? m[2].slice(0, 4) : ''}${m[3] ?? 'Z'}`);
  return Number.isFinite(t) && t >= 0 ? t : null;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
