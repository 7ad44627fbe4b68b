import { z } from 'zod';
import { EventRecord } from './event.js';
import { ImpressionRecord } from './impression.js';

/** One message on the log queue: an impression or an event, written as one NDJSON line. */
export const LogMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('impression'), record: ImpressionRecord }),
  z.object({ kind: z.literal('event'), record: EventRecord }),
]);
export type LogMessage = z.infer<typeof LogMessage>;
