import { describe, expect, it } from 'vitest';
import { LogBuffer } from '../../edge/queue/log-buffer.js';
import type { LogLine } from '../../shared/schemas/queue.js';

function fakeQueue(fail = false) {
  const batches: LogLine[][] = [];
  const q = {
    async sendBatch(msgs: Iterable<{ body: LogLine }>) {
      if (fail) throw new Error('queue down');
      batches.push([...msgs].map((m) => m.body));
    },
  } as unknown as Queue;
  return { q, batches };
}

const msg = (i: number, pad = 0, char = 'x') => JSON.stringify({ schema: 'event/v1', event_id: `e${i}`, pad: char.repeat(pad) });

describe('LogBuffer', () => {
  it('coalesces concurrent records into batches within the queue limits, each record once', async () => {
    const { q, batches } = fakeQueue();
    const buf = new LogBuffer(5);
    await Promise.all(Array.from({ length: 250 }, (_, i) => buf.add(q, msg(i, i % 3 === 0 ? 5000 : 10))).filter((f) => f !== null));
    const ids = batches.flat().map((m) => (JSON.parse(m) as { event_id: string }).event_id);
    expect(ids.sort()).toEqual(Array.from({ length: 250 }, (_, i) => `e${i}`).sort());
    for (const b of batches) {
      expect(b.length).toBeLessThanOrEqual(100);
      expect(b.reduce((a, m) => a + new TextEncoder().encode(m).length, 0)).toBeLessThan(256 * 1024);
    }
    expect(batches.length).toBeLessThan(10);
  });

  it('counts UTF-8 bytes, not string length: 3-byte characters still fit the batch limit', async () => {
    const { q, batches } = fakeQueue();
    const buf = new LogBuffer(5);
    await Promise.all(Array.from({ length: 60 }, (_, i) => buf.add(q, msg(i, 4000, '€'))).filter((f) => f !== null));
    expect(batches.flat()).toHaveLength(60);
    for (const b of batches) expect(b.reduce((a, m) => a + new TextEncoder().encode(m).length, 0)).toBeLessThan(256 * 1024);
    expect(batches.length).toBeGreaterThan(1);
  });

  it('only the record that opens a window carries a flush; the next record after it opens a new one', async () => {
    const { q, batches } = fakeQueue();
    const buf = new LogBuffer(5);
    const first = buf.add(q, msg(1));
    expect(first).toBeInstanceOf(Promise);
    expect(buf.add(q, msg(2))).toBeNull();
    expect(buf.add(q, msg(3))).toBeNull();
    await first;
    expect(batches.map((b) => b.length)).toEqual([3]);
    const second = buf.add(q, msg(4));
    expect(second).toBeInstanceOf(Promise);
    await second;
    expect(batches.map((b) => b.length)).toEqual([3, 1]);
  });

  it('a failed send is logged, never thrown into the request', async () => {
    const { q } = fakeQueue(true);
    await expect(new LogBuffer(1).add(q, msg(1))).resolves.toBeUndefined();
  });
});
