import { describe, expect, it } from 'vitest';
import { checkLogObject } from '../../gpu-batch/ingest/validate-log.js';
import { quarantineKey } from '../../gpu-batch/ingest/quarantine.js';

const impression = {
  schema: 'impression/v1', impression_id: 'i1', ts: 1, user_key: 'a'.repeat(32), surface: 'home', policy_version: 'v', strategy: { name: 'epsilon-greedy', epsilon: 0.1 },
  propensity_type: 'marginal_position', source: 'cache', k: 1, items: [{ item_id: 'x', position: 0, score: 1, propensity: 0.9, explored: false }], slate_propensity: 0.9,
  context: { recent_item_ids: [], exclude_item_ids: [], locale: null },
};
const event = { schema: 'event/v1', event_id: 'e1', impression_id: 'i1', user_key: 'a'.repeat(32), item_id: 'x', position: 0, type: 'click', value: null, ts: 2, received_at: 2, policy_version: 'v' };
const enc = (s: string) => new TextEncoder().encode(s);
const line = (o: unknown) => JSON.stringify(o);

describe('checkLogObject', () => {
  it('counts valid records and skips blank lines', () => {
    expect(checkLogObject(enc(`${line(impression)}\n\n${line(impression)}\n`), 'impressions')).toEqual({ ok: true, records: 2 });
    expect(checkLogObject(enc(`${line(event)}\n`), 'events')).toEqual({ ok: true, records: 1 });
    expect(checkLogObject(enc(''), 'events')).toEqual({ ok: true, records: 0 });
  });

  it.each([
    ['a truncated last line', enc(`${line(event)}\n${line(event).slice(0, 20)}`), 'events', 'line 2: not valid JSON (truncated object?)'],
    ['bytes that are not UTF-8', new Uint8Array([0xff, 0xfe, 0x81]), 'events', 'not valid UTF-8'],
    ['an impression in an events object', enc(line(impression)), 'events', 'line 1: schema: Invalid input: expected "event/v1"'],
    ['a propensity above 1', enc(line({ ...impression, items: [{ ...impression.items[0], propensity: 1.5 }] })), 'impressions', 'line 1: items.0.propensity: Too big: expected number to be <=1'],
    ['a raw user id instead of a key', enc(line({ ...event, user_key: 'alice@example.com' })), 'events', 'line 1: user_key: must be 32 lowercase hex digits'],
    ['garbage in the middle', enc(`${line(event)}\n}{\n${line(event)}`), 'events', 'line 2: not valid JSON'],
  ] as const)('rejects %s', (_, bytes, kind, reason) => {
    expect(checkLogObject(bytes, kind)).toEqual({ ok: false, reason });
  });
});

describe('quarantineKey', () => {
  it('keeps the layout under logs/quarantine/', () => {
    expect(quarantineKey('logs/events/dt=2026-01-01/hr=00/1-a.ndjson')).toBe('logs/quarantine/events/dt=2026-01-01/hr=00/1-a.ndjson');
  });
});
