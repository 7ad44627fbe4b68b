import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextKey, decisionRecords } from '../../gpu-batch/import/to-records.js';
import { readDsjsonLine, toDsjsonLine, type DsjsonDecision } from '../../shared/ope/index.js';
import { ImpressionRecord } from '../../shared/schemas/impression.js';

const decision = (line: string): DsjsonDecision => {
  const r = readDsjsonLine(line);
  if (r.kind !== 'decision') throw new Error(`not a decision: ${r.reason}`);
  return r.decision;
};
const lines = readFileSync(join(import.meta.dirname, '../fixtures/dsjson/dsjson_cb.json'), 'utf8').trim().split('\n');

describe('DSJSON decisions as training-log records', () => {
  it('maps a Personalizer CB line: EventId, Timestamp, VWState.m, the chosen item, a click for a positive reward', () => {
    const d = decision(lines[1]!);
    const r = decisionRecords(d, { surface: 'home', now: 5 });
    expect(r.impression).toMatchObject({
      impression_id: 'bf50a49c34b74937a81e8d6fc95faa99',
      ts: Date.parse('2021-02-04T16:31:29.943Z'),
      policy_version: 'ff0744c1aa494e1ab39ba0c78d048146/550c12cbd3aa47f09fbed3387fb9c6ec',
      surface: 'home',
      strategy: { name: 'dsjson', format: 'cb' },
      k: 1,
      items: [{ item_id: 'Cappucino', position: 0, score: null, propensity: 0.8500000238418579, explored: false }],
      slate_propensity: 0.8500000238418579,
    });
    expect(r.events).toEqual([
      { schema: 'event/v1', event_id: 'bf50a49c34b74937a81e8d6fc95faa99:Cappucino:click', impression_id: r.impression.impression_id, user_key: r.impression.user_key, item_id: 'Cappucino', position: 0, type: 'click', value: 1, ts: r.impression.ts, received_at: r.impression.ts, policy_version: r.impression.policy_version },
    ]);
    // No reward, no event.
    expect(decisionRecords(decision(lines[0]!), { surface: 'home', now: 5 }).events).toEqual([]);
  });

  it('the user is the shared context: the same context is one user key, key order does not matter, another context another key', () => {
    const a = contextKey({ FromUrl: [{ timeofday: 'Afternoon', weather: 'Sunny', name: 'Cathy' }] });
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(contextKey({ FromUrl: [{ name: 'Cathy', weather: 'Sunny', timeofday: 'Afternoon' }] })).toBe(a);
    expect(contextKey({ FromUrl: [{ timeofday: 'Evening', weather: 'Sunny', name: 'Cathy' }] })).not.toBe(a);
    expect(decisionRecords(decision(lines[0]!), { surface: 'home', now: 0 }).impression.user_key).toBe(a);
  });

  it('a CCB line: one item per slot, slate propensity the product, a cost > 0 (negative reward) writes no event; no Timestamp uses the import time', () => {
    const d = decision(readFileSync(join(import.meta.dirname, '../fixtures/dsjson/issue4669.dsjson'), 'utf8').trim());
    const r = decisionRecords(d, { surface: 'search', now: 1234 });
    expect(r.impression.ts).toBe(1234);
    expect(r.impression.items.map((it) => [it.item_id, it.position, it.propensity])).toEqual([
      ['0', 0, 0.5],
      ['1', 1, 1],
    ]);
    expect(r.impression.slate_propensity).toBe(0.5);
    expect(r.events).toEqual([]);
    expect(ImpressionRecord.safeParse(r.impression).success).toBe(true);
  });

  it('a line slatecast exported (ope --export-dsjson) imports as the original record', () => {
    const rec = ImpressionRecord.parse({
      schema: 'impression/v1', impression_id: '6f1c7d1e-0000-4000-8000-000000000009', ts: 1_767_225_600_000, user_key: '0123456789abcdef0123456789abcdef', surface: 'home',
      policy_version: 'v20260101T000000Z-abc123', strategy: { name: 'epsilon-greedy', epsilon: 0.5 }, propensity_type: 'marginal_position', source: 'cache', k: 2,
      items: [{ item_id: 'a', position: 0, score: 1, propensity: 0.75, explored: false }, { item_id: 'n1', position: 1, score: null, propensity: 0.25, explored: true }],
      slate_propensity: 0.1875, context: { recent_item_ids: [], exclude_item_ids: [], locale: null },
    });
    const r = decisionRecords(decision(toDsjsonLine(rec, [0, 1])), { surface: 'other', now: 0 });
    expect(r.impression).toEqual(rec);
    expect(r.events.map((e) => [e.item_id, e.position, e.user_key])).toEqual([['n1', 1, rec.user_key]]);
  });
});
