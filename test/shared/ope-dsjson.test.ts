import { describe, expect, it } from 'vitest';
import { epsilonGreedy } from '../../shared/explore/index.js';
import { fromDsjson, fromImpression, slateIps, TargetPolicy, targetPolicyProbability, toDsjson, toDsjsonLine, toSlateData } from '../../shared/ope/index.js';
import { rngForImpression } from '../../shared/rng.js';
import { ImpressionRecord } from '../../shared/schemas/impression.js';

function impression(id: string): ImpressionRecord {
  const s = epsilonGreedy.sample({ ranked: [{ item: 'a', score: 2 }, { item: 'b', score: 1 }, { item: 'c', score: 0.5 }], pool: ['n1', 'n2'], k: 3 }, { epsilon: 0.5 }, rngForImpression(id));
  return ImpressionRecord.parse({
    schema: 'impression/v1',
    impression_id: id,
    ts: 1_767_225_600_000,
    user_key: '0123456789abcdef0123456789abcdef',
    surface: 'home',
    policy_version: 'v20260101T000000Z-abc123',
    strategy: { name: 'epsilon-greedy', epsilon: 0.5 },
    propensity_type: 'marginal_position',
    source: 'cache',
    k: 3,
    items: s.items,
    slate_propensity: s.slate_propensity,
    context: { recent_item_ids: ['z'], exclude_item_ids: [], locale: 'en-GB' },
  });
}

describe('DSJSON export and import', () => {
  const rec = impression('6f1c7d1e-0000-4000-8000-000000000001');
  const rewards = [1, 0, 2.5];

  it('exports a CCB line: actions in slate order, one slot per position, cost = −reward, marginal propensity in _p[0]', () => {
    const line = toDsjson(rec, rewards);
    expect(line.EventId).toBe(rec.impression_id);
    expect(line.Timestamp).toBe('2026-01-01T00:00:00.000Z');
    expect(line.VWState.m).toBe(rec.policy_version);
    expect(line.c._multi.map((a) => a.item.id)).toEqual(rec.items.map((it) => it.item_id));
    expect(line._outcomes.map((o) => [o._a, o._p, o._label_cost])).toEqual(rec.items.map((it, j) => [[j], [it.propensity], 0 - rewards[j]!]));
    expect(line._outcomes[1]!._o).toEqual([]);
    expect(line._outcomes[2]!._o).toEqual([{ v: 2.5, EventId: `${rec.impression_id}/2`, ActionTaken: false }]);
  });

  it('round-trips: import(export(x)) gives the logged slate and the original record', () => {
    const back = fromDsjson(toDsjsonLine(rec, rewards));
    expect(back.slate).toEqual(fromImpression(rec, rewards));
    expect(back.impression).toEqual(rec);
    expect(Object.is(back.slate.items[1]!.reward, 0)).toBe(true); // not −0
  });

  it('keeps explored marks only from strategies whose marks are pool draws (epsilon-greedy, decaying)', () => {
    expect(fromImpression(rec, rewards).items.map((it) => it.explored)).toEqual(rec.items.map((it) => it.explored));
    const softmax = ImpressionRecord.parse({ ...rec, strategy: { name: 'softmax', temperature_0: 1 } });
    expect(fromImpression(softmax, rewards).items.every((it) => it.explored === undefined)).toBe(true);
    expect(fromDsjson(toDsjsonLine(softmax, rewards)).slate).toEqual(fromImpression(softmax, rewards));
  });

  it('imports a foreign CCB line (no slatecast metadata) with the action namespace id', () => {
    const foreign = {
      Timestamp: '2025-03-01T10:00:00Z',
      Version: '1',
      EventId: 'evt-1',
      c: { User: { segment: 'x' }, _multi: [{ Item: { id: 'red' } }, { Item: { id: 'blue' } }, { Item: { id: 'green' } }], _slots: [{ _id: 's0' }, { _id: 's1' }] },
      _outcomes: [
        { _id: 's0', _label_cost: -1, _a: [2, 0, 1], _p: [0.8, 0.1, 0.1] },
        { _id: 's1', _a: [0, 1], _p: [0.6, 0.4] },
      ],
      VWState: { m: 'model-7' },
    };
    const { slate, impression: imp } = fromDsjson(JSON.stringify(foreign));
    expect(imp).toBeNull();
    expect(slate).toEqual({
      impression_id: 'evt-1',
      ts: Date.parse('2025-03-01T10:00:00Z'),
      policy_version: 'model-7',
      items: [
        { item_id: 'green', position: 0, propensity: 0.8, reward: 1 },
        { item_id: 'red', position: 1, propensity: 0.6, reward: 0 },
      ],
    });
  });

  it('imports plain CB lines (labelled and unlabelled) as one-position slates', () => {
    const cb = { EventId: 'e2', _label_cost: -0.5, _label_probability: 0.25, _labelIndex: 1, a: [2, 1], p: [0.25, 0.75], c: { _multi: [{ A: { id: 'x' } }, { A: { id: 'y' } }] } };
    expect(fromDsjson(cb).slate.items).toEqual([{ item_id: 'y', position: 0, propensity: 0.25, reward: 0.5 }]);
    const unlabelled = { EventId: 'e3', a: [1, 2], p: [0.9, 0.1], c: { _multi: [{ A: { id: 'x' } }, { A: { id: 'y' } }] } };
    expect(fromDsjson(unlabelled).slate.items).toEqual([{ item_id: 'x', position: 0, propensity: 0.9, reward: 0 }]);
  });

  it.each<[string, unknown, string]>([
    ['not JSON', '{nope', 'dsjson: not valid JSON'],
    ['not an object (VW skips lines not starting with {)', '[1]', 'dsjson: not a JSON object line (checkpoint / info line)'],
    ['no actions', { EventId: 'e', c: {} }, 'dsjson: missing c._multi (the actions)'],
    ['no label', { EventId: 'e', c: { _multi: [] } }, 'dsjson: no chosen action (unlabelled decision)'],
    ['bad action index', { EventId: 'e', c: { _multi: [{}] }, _outcomes: [{ _a: [3], _p: [0.5] }] }, 'dsjson: _outcomes[0]._a[0] must index the actions (0 … 0), got 3'],
    ['zero propensity', { EventId: 'e', c: { _multi: [{}] }, _outcomes: [{ _a: [0], _p: [0] }] }, 'dsjson: _outcomes[0]._p[0] must be in (0, 1], got 0'],
    ['bad cost', { EventId: 'e', c: { _multi: [{}] }, _outcomes: [{ _a: [0], _p: [1], _label_cost: 'x' }] }, 'dsjson: _outcomes[0]._label_cost must be a finite number, got x'],
    ['a reward-only line', { RewardValue: 1, EventId: 'x', Observations: [] }, 'dsjson: a reward with no decision (dangling observation)'],
  ])('rejects %s', (_case, line, message) => {
    expect(() => fromDsjson(line)).toThrow(new RangeError(message));
  });
});

describe('target-policy/v1: a context-free policy as per-position item probabilities', () => {
  const policy = TargetPolicy.parse({ schema: 'target-policy/v1', name: 'favour-a', positions: [{ a: 0.8, b: 0.2 }, { b: 0.5, c: 0.5 }] });

  it('gives π_e(item at position), 0 for unlisted items and positions past its end', () => {
    const p = targetPolicyProbability(policy);
    const slate = { impression_id: 'i', ts: null, policy_version: null, items: [] };
    expect([p(slate, 0, 'a'), p(slate, 1, 'a'), p(slate, 1, 'c'), p(slate, 2, 'c')]).toEqual([0.8, 0, 0.5, 0]);
  });

  it('evaluates imported logs with the slate estimator', () => {
    const logs = Array.from({ length: 4 }, (_, i) => fromDsjson(toDsjson(impression(`00000000-0000-4000-8000-00000000000${i}`), [1, 0, 0])).slate);
    const e = slateIps(toSlateData(logs, targetPolicyProbability(policy)));
    expect(e.n).toBe(4);
    expect(Number.isFinite(e.estimate)).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['a position summing above 1', { schema: 'target-policy/v1', name: 'x', positions: [{ a: 0.7, b: 0.4 }] }, 'position 0 probabilities sum to 1.1, more than 1'],
    ['a probability above 1', { schema: 'target-policy/v1', name: 'x', positions: [{ a: 1.5 }] }, 'Too big'],
    ['no positions', { schema: 'target-policy/v1', name: 'x', positions: [] }, 'Too small'],
    ['the artifact policy schema', { schema: 'policy/v1', name: 'x', positions: [{ a: 1 }] }, 'Invalid input'],
  ])('rejects %s', (_case, value, message) => {
    const r = TargetPolicy.safeParse(value);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.message).join('; ')).toContain(message);
  });
});
