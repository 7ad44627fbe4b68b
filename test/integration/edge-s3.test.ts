import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3HttpStore } from '../../edge/store/s3-http-store.js';
import { startEdge, type LocalEdge } from '../../local/start-edge.js';
import { EventRecord } from '../../shared/schemas/event.js';
import { ImpressionRecord } from '../../shared/schemas/impression.js';
import { SlateResponse } from '../../shared/schemas/slate.js';
import { publishFixture } from '../support/fixture-artifact.js';
import { startS3Server, type S3Server } from '../support/s3-server.js';

const SALT = 'integration-salt-0123456789';
const USERS = Array.from({ length: 40 }, (_, i) => `user-${i}@example.com`);

/**
 * The worker from wrangler.toml in workerd (Miniflare, queue and all) against a real S3-compatible
 * server over HTTP: slates, events, the queue flush, and the NDJSON read back with the AWS SDK.
 */
describe('edge worker against an S3 server', () => {
  let s3: S3Server;
  let edge: LocalEdge;
  let sdk: S3Client;

  beforeAll(async () => {
    s3 = await startS3Server();
    await publishFixture(new S3HttpStore(s3), { salt: SALT, users: Object.fromEntries(USERS.slice(0, 20).map((u) => [u, Array.from({ length: 30 }, (_, i) => `item-${(i * 3) % 60}`)])) });
    edge = await startEdge({ s3, tokenSecret: 'integration-token-secret-0123', userSalt: SALT });
    sdk = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  });

  afterAll(async () => {
    await edge?.stop();
    await s3?.stop();
  });

  async function readAll(prefix: string): Promise<unknown[]> {
    const out: unknown[] = [];
    const listed = await sdk.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
    for (const o of listed.Contents ?? []) {
      const text = await (await sdk.send(new GetObjectCommand({ Bucket: s3.bucket, Key: o.Key! }))).Body!.transformToString();
      for (const line of text.split('\n')) if (line) out.push(JSON.parse(line));
    }
    return out;
  }

  it('logs every impression and event exactly once, with no raw user id anywhere', async () => {
    const impressions: string[] = [];
    const eventIds: string[] = [];
    for (const user of USERS) {
      const r = await fetch(new URL(`/v1/slate?user_id=${encodeURIComponent(user)}&k=5`, edge.url));
      expect(r.status).toBe(200);
      const s = SlateResponse.parse(await r.json());
      expect(s.source).toBe(USERS.indexOf(user) < 20 ? 'cache' : 'popularity');
      impressions.push(s.impression_id);
      const e = await fetch(new URL('/v1/events', edge.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: s.token, item_id: s.items[0]!.item_id, type: 'click' }) });
      expect(e.status).toBe(202);
      eventIds.push(((await e.json()) as { event_id: string }).event_id);
    }
    // The consumer flushes after max_batch_timeout; poll until everything has landed.
    let imps: ImpressionRecord[] = [];
    let evs: EventRecord[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      imps = (await readAll('logs/impressions/')).map((x) => ImpressionRecord.parse(x));
      evs = (await readAll('logs/events/')).map((x) => EventRecord.parse(x));
      if (imps.length >= impressions.length && evs.length >= eventIds.length) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(imps.map((i) => i.impression_id).sort()).toEqual([...impressions].sort());
    expect(evs.map((e) => e.event_id).sort()).toEqual([...eventIds].sort());
    const everything = JSON.stringify(await readAll('logs/'));
    for (const u of USERS) expect(everything).not.toContain(u);
  });
});
