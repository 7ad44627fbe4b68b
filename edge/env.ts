import type { Context } from 'hono';
import type { SlateSource } from '../shared/schemas/slate.js';
import type { EdgeDeps } from './deps.js';

/**
 * Bindings and variables from wrangler.toml (generated `Env`, see `npm run cf-typegen`) plus the
 * Worker secrets declared in secrets.d.ts.
 */
export type AppEnv = Env;

/**
 * Per-request variables: the app's dependencies (set by `createApp` on every request, so routes
 * read `c.var.artifactCache` rather than a module singleton) and the scorer step that answered a
 * slate, for the request counters.
 */
export type HonoEnv = { Bindings: AppEnv; Variables: EdgeDeps & { source?: SlateSource } };
export type AppContext = Context<HonoEnv>;

/** Numeric settings, parsed once per request from string vars (vars are strings in wrangler). */
export interface Settings {
  tokenTtlS: number;
  artifactTtlMs: number;
  artifactHardTtlMs: number;
}

export function settings(env: AppEnv): Settings {
  return {
    tokenTtlS: positive(env.TOKEN_TTL_S, 3600),
    artifactTtlMs: positive(env.ARTIFACT_TTL_S, 30) * 1000,
    artifactHardTtlMs: positive(env.ARTIFACT_HARD_TTL_S, 900) * 1000,
  };
}

function positive(v: string | undefined, fallback: number): number {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
