import { describe, expect, it } from 'vitest';
import { decodeLogMessage, encodeLogLine } from '../../shared/schemas/queue.js';
import { EventRecord } from '../../shared/schemas/event.js';

const event: EventRecord = EventRecord.parse({
  schema: 'event/v1',
  event_id: 'e1',
  impression_id: 'i1',
  user_key: '0123456789abcdef0123456789abcdef',
  item_id: 'item-1',
  position: 0,
  type: 'click',
  value: null,
  ts: 1_700_000_000_000,
  received_at: 1_700_000_000_000,
  policy_version: 'v20231114T221320Z-abcdef',
});

describe('log queue lines', () => {
  it('an encoded record decodes to the same line, with its kind', () => {
    const line = encodeLogLine(event);
    expect(decodeLogMessage(line)).toEqual({ ok: true, kind: 'event', line });
  });

  it('a body with raw newlines between tokens is re-serialised, so the NDJSON framing holds', () => {
    const body = JSON.stringify(event, null, 2);
    const d = decodeLogMessage(body);
    expect(d.ok && d.line).toBe(JSON.stringify(event));
  });

  it('names what is wrong', () => {
    expect(decodeLogMessage('nope')).toEqual({ ok: false, reason: 'body is not JSON' });
    expect(decodeLogMessage('null')).toEqual({ ok: false, reason: 'schema: expected "impression/v1" or "event/v1", got null' });
    const d = decodeLogMessage(JSON.stringify({ ...event, position: -1 }));
    expect(d.ok).toBe(false);
    expect(!d.ok && d.reason).toMatch(/^position: /);
    expect(decodeLogMessage(42)).toMatchObject({ ok: false });
  });
});
