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
    event_id: z.string().meta({ description: 'The id the event is de-duplicated by: `<impression_id>:<event_id sent>`, else `<impression_id>:<item_id>:<type>`.' }),
  })
  .meta({ id: 'EventAccepted' });

const ProblemCode = z.enum(['store_unreachable', 'bad_pointer', 'version_refused']);

/** `GET /healthz` when the artifact cache answers (edge/routes/health.ts): 200 ok|degraded, 503 unavailable. */
const Health = z.object({
  status: z.enum(['ok', 'degraded', 'unavailable']),
  version: z.string().nullable().meta({ description: 'The serving artifact version; null before the first publish.' }),
  pointer_version: z.string().nullable().meta({ description: 'The version `artifacts/CURRENT` named at the last good read.' }),
  age_s: z.number().nullable().meta({ description: 'Seconds since the serving version was built.' }),
  loaded_at: z.number().nullable(),
  last_check_ok_at: z.number().nullable(),
  problem: z.object({ code: ProblemCode, message: z.string(), since: z.number() }).nullable().meta({ description: 'The problem now; null when CURRENT\'s version is serving.' }),
  last_error: z.object({ at: z.number(), code: ProblemCode, message: z.string() }).nullable(),
  refused_version: z.string().nullable().meta({ description: 'The last version refused (failed verification), if any.' }),
  canary: z
    .object({ version: z.string(), share: z.number(), started_at: z.number() })
    .nullable()
    .meta({ description: 'A canary serving beside `version` to this share of users (by hashed user key), when `artifacts/CURRENT` names one that verifies.' }),
  reason: z.string().nullable().meta({ description: 'Why nothing can be served (503 only).' }),
});

/** `GET /healthz` when `/v1/*` would answer 503 `misconfigured` (secrets missing or weak). */
const HealthMisconfigured = z.object({
  status: z.literal('misconfigured'),
  version: z.null(),
  reason: z.string(),
});

/** `GET /healthz`, 200 or 503. */
export const HealthResponse = z.union([Health, HealthMisconfigured]).meta({ id: 'HealthResponse' });
