import { describe, expect, it } from 'vitest';
import { LogBuffer } from '../../edge/queue/log-buffer.js';
import type { LogMessage } from '../../shared/schemas/queue.js';

function fakeQueue(fail = false) {
  const batches: LogMessage[][] = [];
  const q = {
    async sendBatch(msgs: Iterable<{ body: LogMessage }>) {
      if (fail) throw new Error('queue down');
      batches.push([...msgs].map((m) => m.body));
    },
  } as unknown as Queue;
  return { q, batches };
}

const msg = (i: number, pad = 0) => ({ kind: 'event', record: { event_id: `e${i}`, pad: 'x'.repeat(pad) } }) as unknown as LogMessage;

describe('LogBuffer', () => {
  it('coalesces concurrent records into batches within the queue limits, each record once', async () => {
    const { q, batches } = fakeQueue();
    const buf = new LogBuffer(5);
    await Promise.all(Array.from({ length: 250 }, (_, i) => buf.add(q, msg(i, i % 3 === 0 ? 5000 : 10))));
    const ids = batches.flat().map((m) => (m.record as { event_id: string }).event_id);
    expect(ids.sort()).toEqual(Array.from({ length: 250 }, (_, i) => `e${i}`).sort());
    for (const b of batches) {
      expect(b.length).toBeLessThanOrEqual(100);
      expect(b.reduce((a, m) => a + JSON.stringify(m).length, 0)).toBeLessThan(256 * 1024);
    }
    expect(batches.length).toBeLessThan(10);
  });

  it('a failed send is logged, never thrown into the request', async () => {
    const { q } = fakeQueue(true);
    await expect(new LogBuffer(1).add(q, msg(1))).resolves.toBeUndefined();
  });
});
