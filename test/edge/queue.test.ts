import { createExecutionContext, createMessageBatch, env, getQueueResult, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../edge/index.js';
import { writeLogBatch } from '../../edge/queue/consumer.js';
import { R2Store } from '../../edge/store/r2-store.js';
import { EventRecord } from '../../shared/schemas/event.js';
import { ImpressionRecord } from '../../shared/schemas/impression.js';
import type { LogLine, LogMessage } from '../../shared/schemas/queue.js';
import { SlateResponse } from '../../shared/schemas/slate.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { harness } from './helpers.js';

async function ndjson(prefix: string): Promise<unknown[]> {
  const out: unknown[] = [];
  const listed = await env.BUCKET.list({ prefix });
  for (const o of listed.objects) {
    const text = await (await env.BUCKET.get(o.key))!.text();
    for (const line of text.split('\n')) if (line) out.push(JSON.parse(line));
  }
  return out;
}

describe('queue consumer', () => {
  beforeAll(async () => {
    await publishFixture(new R2Store(env.BUCKET), { salt: env.USER_SALT, users: { erin: ['item-1', 'item-2', 'item-3', 'item-4', 'item-5', 'item-6'] } });
  });

  it('writes a batch as NDJSON under logs/<kind>/dt=/hr=/ and quarantines a malformed message', async () => {
    const h = harness();
    const s = SlateResponse.parse(await (await h.call('/v1/slate?user_id=erin')).json());
    await h.json('/v1/events', { token: s.token, item_id: s.items[0]!.item_id, type: 'click' });
    const msgs = [
      ...h.wire.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
      { id: 'bad', timestamp: new Date(), attempts: 1, body: { kind: 'impression', record: { nope: 1 } } },
      { id: 'bad-json', timestamp: new Date(), attempts: 1, body: '{"schema":"impression/v1",' },
      { id: 'bad-schema', timestamp: new Date(), attempts: 1, body: '{"schema":"click/v9"}' },
    ];
    const batch = createMessageBatch<LogLine>('slatecast-logs', msgs as never);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.length + result.retryMessages.length).toBe(0); // implicit ack of the whole batch
    const imps = (await ndjson('logs/impressions/')).map((r) => ImpressionRecord.parse(r));
    const evs = (await ndjson('logs/events/')).map((r) => EventRecord.parse(r));
    expect(imps.map((i) => i.impression_id)).toEqual([s.impression_id]);
    expect(evs.map((e) => e.impression_id)).toEqual([s.impression_id]);
    const keys = (await env.BUCKET.list({ prefix: 'logs/' })).objects.map((o) => o.key);
    for (const k of keys) expect(k).toMatch(/^logs\/(impressions|events|quarantine\/queue)\/(dt=\d{4}-\d{2}-\d{2}\/hr=\d{2}\/)?\d{13}-[0-9a-f]{16}\.ndjson$/);
    const quarantined = (await ndjson('logs/quarantine/')) as Array<{ message_id: string; reason: string }>;
    expect(Object.fromEntries(quarantined.map((q) => [q.message_id, q.reason]))).toEqual({
      bad: expect.stringMatching(/^record\.schema: /),
      'bad-json': 'body is not JSON',
      'bad-schema': 'schema: expected "impression/v1" or "event/v1", got "click/v9"',
    });
    // The line written is the producer's own line, byte for byte.
    expect((await ndjson('logs/impressions/')).map((r) => JSON.stringify(r))).toEqual([h.wire[0]]);
    expect(JSON.stringify(imps)).not.toContain('erin');
  });

  it('two batches written in the same millisecond never share an object name', async () => {
    const store = new R2Store(env.BUCKET);
    const h = harness();
    const s = SlateResponse.parse(await (await h.call('/v1/slate?user_id=erin')).json());
    const msg = h.wire[0]!;
    const before = (await env.BUCKET.list({ prefix: 'logs/impressions/' })).objects.length;
    await Promise.all([writeLogBatch(store, [{ id: '0', body: msg }], 1_700_000_000_000), writeLogBatch(store, [{ id: '0', body: msg }], 1_700_000_000_000)]);
    expect((await env.BUCKET.list({ prefix: 'logs/impressions/' })).objects.length).toBe(before + 2);
    expect(s.impression_id).toBeTruthy();
  });

  it('still logs messages in the earlier {kind, record} object form (queued before a deploy)', async () => {
    const h = harness();
    const s = SlateResponse.parse(await (await h.call('/v1/slate?user_id=erin')).json());
    const legacy: LogMessage = { kind: 'impression', record: ImpressionRecord.parse(h.sent[0]!.record) };
    const store = new R2Store(env.BUCKET);
    expect(await writeLogBatch(store, [{ id: 'old', body: legacy }], 1_700_000_100_000)).toEqual({ impressions: 1, events: 0, quarantined: 0 });
    const written = await ndjson('logs/impressions/dt=2023-11-14/hr=22/');
    expect(written.map((r) => (r as { impression_id: string }).impression_id)).toContain(s.impression_id);
  });

  it('a failed write makes the runtime retry the batch (nothing acknowledged)', async () => {
    const batch = createMessageBatch<LogMessage>('slatecast-logs', [{ id: 'x', timestamp: new Date(), attempts: 1, body: { kind: 'event', record: {} } as never }]);
    const ctx = createExecutionContext();
    const broken = { ...env, BUCKET: { put: () => Promise.reject(new Error('R2 down')) } as unknown as R2Bucket };
    await expect(worker.queue(batch, broken, ctx)).rejects.toThrow(/R2 down/);
  });

  it('end to end through the real queue binding: impressions and events land in R2', async () => {
    const s = SlateResponse.parse(await (await SELF.fetch('https://edge.test/v1/slate?user_id=erin')).json());
    const r = await SELF.fetch('https://edge.test/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: s.token, item_id: s.items[1]!.item_id, type: 'click', event_id: 'e2e-1' }) });
    expect(r.status).toBe(202);
    const deadline = Date.now() + 15_000;
    let found = { imp: false, ev: false };
    while (Date.now() < deadline && !(found.imp && found.ev)) {
      await new Promise((res) => setTimeout(res, 250));
      const imps = (await ndjson('logs/impressions/')) as Array<{ impression_id: string }>;
      const evs = (await ndjson('logs/events/')) as Array<{ event_id: string }>;
      found = { imp: imps.some((i) => i.impression_id === s.impression_id), ev: evs.some((e) => e.event_id === `${s.impression_id}:e2e-1`) };
    }
    expect(found).toEqual({ imp: true, ev: true });
  });
});
