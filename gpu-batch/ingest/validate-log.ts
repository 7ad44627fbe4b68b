import { EventRecord } from '../../shared/schemas/event.js';
import { ImpressionRecord } from '../../shared/schemas/impression.js';
import type { LogKind } from '../lake/columns.js';

/** Result of checking one downloaded log object. */
export type LogCheck = { ok: true; records: number } | { ok: false; reason: string };

const SCHEMAS = { impressions: ImpressionRecord, events: EventRecord } as const;
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Checks that every line of a log object is a valid record of its kind, before DuckDB sees it.
 * One bad line condemns the object: a truncated upload or a corrupt body usually damages more
 * than the line that fails to parse, and quarantining the whole object keeps it intact for a
 * human to repair and re-drop, instead of training on a silently partial batch.
 * @param bytes the object's (decompressed) body
 * @param kind which schema its lines must satisfy
 * @returns the record count, or the first reason it is bad (with a 1-based line number)
 */
export function checkLogObject(bytes: Uint8Array, kind: LogKind): LogCheck {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { ok: false, reason: 'not valid UTF-8' };
  }
  const schema = SCHEMAS[kind];
  let records = 0;
  let line = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    line++;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return { ok: false, reason: `line ${line}: not valid JSON${end === text.length ? ' (truncated object?)' : ''}` };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      return { ok: false, reason: `line ${line}: ${i.path.map(String).join('.') || '(record)'}: ${i.message}` };
    }
    records++;
  }
  return { ok: true, records };
}
