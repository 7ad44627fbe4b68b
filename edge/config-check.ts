import type { AppEnv } from './env.js';
import { storeFor } from './store/index.js';

/**
 * What is wrong with the Worker's configuration, or null when it can serve: missing or short
 * secrets (the edge refuses to sign with them), a short `USER_ASSERTION_SECRET` when one is set,
 * or an incomplete object-store setting. Names settings, never their values. `/v1/*` answers 503
 * `misconfigured` and `/healthz` reports it with the same words.
 */
export function configProblem(env: AppEnv): string | null {
  if (!(env.TOKEN_SECRET?.length >= 16) || !(env.USER_SALT?.length >= 16)) return 'TOKEN_SECRET and USER_SALT must be set (≥ 16 characters)';
  if (env.USER_ASSERTION_SECRET && env.USER_ASSERTION_SECRET.length < 16) return 'USER_ASSERTION_SECRET must be ≥ 16 characters when set';
  try {
    storeFor(env);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return null;
}
