import { z } from 'zod';
import { EventRecord } from './event.js';
import { ImpressionRecord } from './impression.js';

/**
 * Earlier wire form of a log queue message: `{kind, record}` as a structured object. Still read,
 * so messages already in the queue when a new edge version deploys are logged, not quarantined.
 */
export const LogMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('impression'), record: ImpressionRecord }),
  z.object({ kind: z.literal('event'), record: EventRecord }),
]);
export type LogMessage = z.infer<typeof LogMessage>;

/**
 * Wire form of a log queue message: the record's NDJSON line itself, kind told by its `schema`.
 * Why a string: the producer serialises once (it needs the size for the batch limits anyway), a
 * string crosses the queue as one copy where a nested object is structured-cloned field by field
 * on both sides, and the consumer writes the line it validated without serialising it again.
 */
export type LogLine = string;

export function encodeLogLine(record: ImpressionRecord | EventRecord): LogLine {
  return JSON.stringify(record);
}

export type DecodedLog = { ok: true; kind: 'impression' | 'event'; line: string } | { ok: false; reason: string };

/**
 * Validates a queue message body (a `LogLine`, or the earlier `LogMessage` object) and returns the
 * NDJSON line to write. The line is the producer's own text when it is one line: fields a schema
 * does not know are kept as sent (the batch tier reads named columns), never silently rewritten.
 */
export function decodeLogMessage(body: unknown): DecodedLog {
  if (typeof body !== 'string') {
    const legacy = LogMessage.safeParse(body);
    if (!legacy.success) return { ok: false, reason: issue(legacy.error) };
    return { ok: true, kind: legacy.data.kind, line: JSON.stringify(legacy.data.record) };
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  const schema = (value as { schema?: unknown } | null)?.schema;
  const parsed = schema === 'impression/v1' ? ImpressionRecord.safeParse(value) : schema === 'event/v1' ? EventRecord.safeParse(value) : null;
  if (!parsed) return { ok: false, reason: `schema: expected "impression/v1" or "event/v1", got ${JSON.stringify(schema ?? null)}` };
  if (!parsed.success) return { ok: false, reason: issue(parsed.error) };
  // JSON.parse accepts raw newlines between tokens; such a body would break the NDJSON framing.
  const line = /[\n\r]/.test(body) ? JSON.stringify(value) : body;
  return { ok: true, kind: schema === 'impression/v1' ? 'impression' : 'event', line };
}

function issue(error: z.ZodError): string {
  const i = error.issues[0];
  return i ? `${i.path.join('.') || '(root)'}: ${i.message}` : 'invalid';
}
