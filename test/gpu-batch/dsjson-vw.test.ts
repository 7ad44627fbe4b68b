import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDsjsonFiles } from '../../gpu-batch/import/read-dsjson.js';
import { decisionRecords } from '../../gpu-batch/import/to-records.js';
import { decisionSlate, readDsjsonLine, type DsjsonDecision } from '../../shared/ope/index.js';
import { ItemId } from '../../shared/schemas/common.js';

/**
 * The DSJSON reader on Vowpal Wabbit's own test logs (test/fixtures/dsjson, copied from VW's
 * test/train-sets; see its README). Where VW's test suite records what its reader made of a file
 * (`--extra_metrics` reference files), the same numbers are expected here.
 */
const DIR = join(import.meta.dirname, '../fixtures/dsjson');
const file = (name: string) => ({ name, text: readFileSync(join(DIR, name), 'utf8') });
const read = (name: string) => readDsjsonFiles([file(name)]);
const decisions = (name: string): DsjsonDecision[] =>
  file(name)
    .text.split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      const r = readDsjsonLine(l);
      return r.kind === 'decision' ? [r.decision] : [];
    });

describe('DSJSON lines from VW test sets', () => {
  it('b1848: a _skipLearn decision, six dangling observations and a checkpoint line are all skipped and counted (VW test 187: 0 examples, number_skipped_events 1, number_events_zero_actions 6)', () => {
    const { decisions: d, counts } = read('b1848_dsjson_parser_regression.txt');
    expect(d).toEqual([]);
    expect(counts.lines).toBe(8);
    expect(counts.skipped).toEqual({ checkpoint: 1, malformed: 0, skip_learn: 1, dangling_observation: 6, no_actions: 0, continuous_action: 0 });
  });

  it('dsjson_cb: Personalizer CB lines — _labelIndex picks the action, _label_probability its propensity, reward = −_label_cost, explored when not the most probable', () => {
    const { decisions: d, counts } = read('dsjson_cb.json');
    expect(counts.decisions).toBe(23);
    expect(counts.lines).toBe(23);
    expect(d[0]).toMatchObject({
      event_id: '13118d9b4c114f8485d9dec417e3aefe',
      ts: Date.parse('2021-02-04T16:31:29.246Z'),
      policy_version: 'ff0744c1aa494e1ab39ba0c78d048146/550c12cbd3aa47f09fbed3387fb9c6ec',
      format: 'cb',
      slots: [{ position: 0, item_id: 'Latte', action_index: 3, propensity: 0.05000000074505806, reward: 0, explored: true }],
    });
    expect(d[1]!.slots).toEqual([{ position: 0, item_id: 'Cappucino', action_index: 0, propensity: 0.8500000238418579, reward: 1, explored: false }]);
    // The shared context is what stands for the user.
    expect(d[0]!.shared).toEqual({ FromUrl: [{ timeofday: 'Afternoon', weather: 'Sunny', name: 'Cathy' }] });
  });

  it('decisionservice: action ids over 128 characters are shortened to stable, distinct ids; repeated ids in one decision are kept apart', () => {
    const { counts } = read('decisionservice.json');
    expect(counts.decisions).toBe(3);
    expect(counts.shortened_ids).toBeGreaterThan(0);
    expect(counts.repeated_ids).toBeGreaterThan(0);
    const line = JSON.parse(file('decisionservice.json').text.split('\n')[0]!) as { c: { _multi: Array<{ i: { id: string } }> } };
    const raw = line.c._multi.map((a) => a.i.id);
    const long = raw.findIndex((id) => id.length > 128);
    expect(long).toBeGreaterThanOrEqual(0);
    const r = readDsjsonLine(JSON.stringify({ ...line, _labelIndex: long }));
    expect(r.kind).toBe('decision');
    const id = (r as { decision: DsjsonDecision }).decision.slots[0]!.item_id;
    expect(ItemId.safeParse(id).success).toBe(true);
    expect(id.startsWith(raw[long]!.slice(0, 100))).toBe(true);
    // The same long id in another line maps to the same item.
    expect(readDsjsonLine(JSON.stringify({ ...line, _labelIndex: long, EventId: 'other' }))).toMatchObject({ decision: { slots: [{ item_id: id }] } });
    // A repeated id: the later action gets `#index`, so the two actions stay two items.
    const first = raw.findIndex((x, i) => raw.indexOf(x) !== i);
    const later = raw.lastIndexOf(raw[first]!);
    const a = readDsjsonLine(JSON.stringify({ ...line, _labelIndex: raw.indexOf(raw[first]!) }));
    const b = readDsjsonLine(JSON.stringify({ ...line, _labelIndex: later }));
    const ida = (a as { decision: DsjsonDecision }).decision.slots[0]!.item_id;
    const idb = (b as { decision: DsjsonDecision }).decision.slots[0]!.item_id;
    expect(idb).toBe(`${ida.length > 120 ? idb.slice(0, idb.lastIndexOf('#')) : ida}#${later}`);
    expect(ida).not.toBe(idb);
  });

  it('ccb_data_parse_error: CCB slots, two malformed lines skipped with their line numbers (VW: line_parse_error 2, 68 learned), repeated EventIds kept once', () => {
    const { decisions: d, counts } = read('ccb_data_parse_error.json');
    expect(counts.skipped.malformed).toBe(2);
    expect(counts.problems).toEqual(['ccb_data_parse_error.json:57: not valid JSON', 'ccb_data_parse_error.json:69: not valid JSON']);
    expect(counts.decisions + counts.duplicates).toBe(68);
    expect(counts.duplicates).toBe(10);
    expect(d[0]!.format).toBe('ccb');
    expect(d[0]!.slots.map((s) => [s.position, s.item_id, s.propensity])).toEqual([
      [0, 'Americano', 0.25],
      [1, 'Mocha', 0.33333334],
    ]);
    // VW's reference metrics for this file: cbea_sum_cost −32.82 over every labelled slot.
    const sum = decisions('ccb_data_parse_error.json').reduce((s, x) => s + x.slots.reduce((t, slot) => t + slot.reward, 0), 0);
    expect(sum).toBeCloseTo(32.82, 4);
  });

  it('CCB lines without EventId get content-hash ids that are stable and distinct', () => {
    const a = read('ccb_automl.dsjson');
    expect(a.counts.decisions).toBe(9);
    expect(new Set(a.decisions.map((x) => x.event_id)).size).toBe(9);
    expect(read('ccb_automl.dsjson').decisions.map((x) => x.event_id)).toEqual(a.decisions.map((x) => x.event_id));
    const one = read('issue4669.dsjson').decisions[0]!;
    expect(one.event_id).toMatch(/^dsjson-[0-9a-f]{16}$/);
    expect(one.slots.map((s) => [s.item_id, s.propensity, s.reward])).toEqual([
      ['0', 0.5, -1],
      ['1', 1, 0],
    ]);
  });

  it('pdrop: 0.9 is kept (counted), 1 is malformed as in VW', () => {
    expect(read('cb_simple_pdrop.json').decisions[0]!.pdrop).toBe(0.9);
    expect(read('cb_simple_pdrop.json').counts.pdrop).toBe(1);
    const one = read('cb_simple_pdrop1.json');
    expect(one.counts.skipped.malformed).toBe(1);
    expect(one.counts.problems[0]).toMatch(/pdrop must be in \[0, 1\), got 1/);
    expect(() => readDsjsonFiles([file('cb_simple_pdrop1.json')], { strict: true })).toThrow(/cb_simple_pdrop1.json:1: pdrop/);
  });

  it('slates: a _skipLearn slates line is skipped; without it, _a indexes the slot’s own actions and the slate reward is shared', () => {
    expect(read('slates_parser_test.dsjson').counts.skipped.skip_learn).toBe(1);
    const line = JSON.parse(file('slates_parser_test.dsjson').text) as Record<string, unknown>;
    delete line['_skipLearn'];
    const r = readDsjsonLine(JSON.stringify(line));
    expect(r.kind).toBe('decision');
    const d = (r as { decision: DsjsonDecision }).decision;
    expect(d).toMatchObject({ event_id: 'test_id', format: 'slates', pdrop: 0.1 });
    // Slot 0 chose its action 1 (= _multi[1]); slot 1 chose its action 0 (= _multi[3]).
    expect(d.slots.map((s) => [s.position, s.action_index, s.propensity, s.reward, s.explored])).toEqual([
      [0, 1, 0.8, -0.5, false],
      [1, 3, 0.6, -0.5, false],
    ]);
  });

  it('a continuous-action (CATS) line is skipped and counted: it chooses a number, not an item', () => {
    expect(read('cats_parser_test.dsjson').counts.skipped.continuous_action).toBe(1);
    expect(read('cats_parser_test.dsjson').decisions).toEqual([]);
  });

  it('cb_features_w_zero_vals: actions without ids are named by index; lower-case event_id is not an EventId', () => {
    const { decisions: d } = read('cb_features_w_zero_vals.dsjson');
    expect(d).toHaveLength(2);
    expect(d[0]!.slots[0]).toMatchObject({ item_id: '0', propensity: 0.5, reward: 1 });
    expect(d[0]!.event_id).not.toBe(d[1]!.event_id);
  });

  it('every decision of every file becomes a valid impression (and click events for rewards > 0) and a logged slate', () => {
    for (const name of ['dsjson_cb.json', 'decisionservice.json', 'ccb_data_parse_error.json', 'ccb_automl.dsjson', 'issue4669.dsjson']) {
      for (const d of read(name).decisions) {
        const r = decisionRecords(d, { surface: 'home', now: 0 });
        expect(r.impression.items.map((it) => it.item_id)).toEqual(d.slots.map((s) => s.item_id));
        expect(new Set(r.impression.items.map((it) => it.item_id)).size).toBe(d.slots.length);
        expect(r.events.map((e) => e.item_id)).toEqual(d.slots.filter((s) => s.reward > 0).map((s) => s.item_id));
        expect(decisionSlate(d).items).toHaveLength(d.slots.length);
      }
    }
  });
});
