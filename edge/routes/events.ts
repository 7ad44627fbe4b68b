import { Hono } from 'hono';
import { verifyToken } from '../../shared/crypto/token.js';
import { EventRequest, eventTimeProblem, type EventRecord } from '../../shared/schemas/event.js';
import { encodeLogLine } from '../../shared/schemas/queue.js';
import { readJson } from '../body.js';
import type { HonoEnv } from '../env.js';
import { badRequest, HttpError } from '../errors.js';
import { limitEvents } from '../rate-limit.js';

/** `/v1/events`: rewards, each vouched for by the token of the impression it belongs to. */
export const events = new Hono<HonoEnv>();

events.post('/', async (c) => {
  const parsed = EventRequest.safeParse(await readJson(c));
  if (!parsed.success) throw badRequest(parsed.error.issues);
  const ev = parsed.data;
  const now = Date.now();
  const late = ev.ts === undefined ? null : eventTimeProblem(ev.ts, now);
  if (late) throw new HttpError(400, 'bad_request', `ts: ${late}`, 'ts');
  const check = await verifyToken(c.env.TOKEN_SECRET, ev.token, Math.floor(now / 1000));
  if (!check.ok) throw new HttpError(401, `token_${check.reason}`, `token: ${check.reason}`, 'token');
  const t = check.payload;
  await limitEvents(c, t);
  const position = t.it.indexOf(ev.item_id);
  if (position < 0) throw new HttpError(422, 'item_not_in_impression', `item_id: "${ev.item_id}" was not shown in impression ${t.iid}`, 'item_id');

  const eventId = scopedEventId(t.iid, ev.item_id, ev.type, ev.event_id);
  if (c.var.recentEventIds.has(eventId)) return c.json({ accepted: true, duplicate: true, event_id: eventId }, 202);

  const record: EventRecord = {
    schema: 'event/v1',
    event_id: eventId,
    impression_id: t.iid,
    user_key: t.uk,
    item_id: ev.item_id,
    position,
    type: ev.type,
    value: ev.value ?? null,
    ts: ev.ts ?? now,
    received_at: now,
    policy_version: t.pv,
  };
  // Awaited, unlike impressions: 202 promises the event is durably queued; on failure the client
  // gets 503 and retries with the same event id, which the batch tier de-duplicates.
  try {
    await c.env.LOG_QUEUE.send(encodeLogLine(record));
  } catch (e) {
    console.error(`slatecast: event ${eventId} not queued: ${e instanceof Error ? e.message : e}`);
    throw new HttpError(503, 'queue_unavailable', 'event not accepted, retry with the same event_id');
  }
  c.var.recentEventIds.set(eventId, true);
  return c.json({ accepted: true, duplicate: false, event_id: eventId }, 202);
});

/**
 * The id an event is de-duplicated by, here and in the batch tier: always inside the impression
 * the token proves (and so inside its user). Default `<impression_id>:<item_id>:<type>`, so a
 * retried click without an id is one click; a client's own id becomes `<impression_id>:<id>`, so
 * nobody can spend another impression's ids — posting a victim's default id with one's own token
 * names one's own impression, not the victim's.
 */
export function scopedEventId(impressionId: string, itemId: string, type: string, clientId: string | undefined): string {
  return clientId === undefined ? `${impressionId}:${itemId}:${type}` : `${impressionId}:${clientId}`;
}
