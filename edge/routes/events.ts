import { Hono } from 'hono';
import { verifyToken } from '../../shared/crypto/token.js';
import { EventRequest, type EventRecord } from '../../shared/schemas/event.js';
import { encodeLogLine } from '../../shared/schemas/queue.js';
import { readJson } from '../body.js';
import type { HonoEnv } from '../env.js';
import { badRequest, HttpError } from '../errors.js';
import { RECENT_EVENT_IDS_MAX, recentEventIds } from '../state.js';

/** `/v1/events`: rewards, each vouched for by the token of the impression it belongs to. */
export const events = new Hono<HonoEnv>();

events.post('/', async (c) => {
  const parsed = EventRequest.safeParse(await readJson(c));
  if (!parsed.success) throw badRequest(parsed.error.issues);
  const ev = parsed.data;
  const now = Date.now();
  const check = await verifyToken(c.env.TOKEN_SECRET, ev.token, Math.floor(now / 1000));
  if (!check.ok) throw new HttpError(401, `token_${check.reason}`, `token: ${check.reason}`, 'token');
  const t = check.payload;
  // Per user (the key inside the verified token), so one client replaying tokens is throttled
  // while many users behind one address (a NAT, or this machine's load tests) are not.
  if (c.env.EVENTS_RATE_LIMIT && !(await c.env.EVENTS_RATE_LIMIT.limit({ key: t.uk })).success) {
    c.header('retry-after', '60');
    throw new HttpError(429, 'rate_limited', 'too many events for this user; retry later');
  }
  const position = t.it.indexOf(ev.item_id);
  if (position < 0) throw new HttpError(422, 'item_not_in_impression', `item_id: "${ev.item_id}" was not shown in impression ${t.iid}`, 'item_id');

  // Default id: one event of a type per shown item, so a retried click without an id is one click.
  const eventId = ev.event_id ?? `${t.iid}:${ev.item_id}:${ev.type}`;
  if (recentEventIds.has(eventId)) return c.json({ accepted: true, duplicate: true, event_id: eventId }, 202);

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
  recentEventIds.add(eventId);
  if (recentEventIds.size > RECENT_EVENT_IDS_MAX) recentEventIds.delete(recentEventIds.values().next().value!);
  return c.json({ accepted: true, duplicate: false, event_id: eventId }, 202);
});
