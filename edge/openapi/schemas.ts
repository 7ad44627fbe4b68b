import { z } from 'zod';

/**
 * Wire shapes the edge renders outside `shared/schemas` (answers no other tier reads), written as
 * zod so the OpenAPI document is generated from schemas, like everything else in it.
 */

/** The one error envelope `app.onError` renders (edge/app.ts). */
export const ErrorEnvelope = z
  .object({
    error: z.object({
      /** Machine-readable reason, e.g. bad_request, token_expired, no_artifact. */
      code: z.string().meta({ description: 'Machine-readable reason, e.g. `bad_request`, `token_expired`, `no_artifact`.' }),
      message: z.string().meta({ description: 'What went wrong, for a person; names the field first when there is one.' }),
      field: z.string().optional().meta({ description: 'The request field at fault (dotted path), when there is one.' }),
    }),
  })
  .meta({ id: 'ErrorEnvelope', description: 'Every error answer of the edge.' });

/** `202` of `POST /v1/events` (edge/routes/events.ts). */
export const EventAccepted = z
  .object({
    accepted: z.literal(true),
    duplicate: z.boolean().meta({ description: 'True when this event_id was already accepted (a retry): counted once.' }),
    event_id: z.string().meta({ description: 'The id the event is de-duplicated by: the one sent, else `<impression_id>:<item_id>:<type>`.' }),
  })
  .meta({ id: 'EventAccepted' });

/** `GET /healthz` (edge/routes/health.ts), 200 or 503. */
export const HealthResponse = z
  .object({
    status: z.enum(['ok', 'degraded', 'unavailable']),
    version: z.string().nullable().meta({ description: 'The serving artifact version; null before the first publish.' }),
    age_s: z.number().nullable().meta({ description: 'Seconds since the serving version was built.' }),
    loaded_at: z.number().nullable(),
    last_check_ok_at: z.number().nullable(),
    last_error: z.object({ at: z.number(), message: z.string() }).nullable(),
    refused_version: z.string().nullable().meta({ description: 'The last version refused (failed verification), if any.' }),
    reason: z.string().nullable().meta({ description: 'Why nothing can be served (503 only).' }),
  })
  .meta({ id: 'HealthResponse' });
