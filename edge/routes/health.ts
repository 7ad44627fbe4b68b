import { Hono } from 'hono';
import { ArtifactUnavailableError, NoArtifactError, NoVerifiedVersionError } from '../artifact/artifact-cache.js';
import { configProblem } from '../config-check.js';
import { settings, type HonoEnv } from '../env.js';
import { storeFor } from '../store/index.js';

/**
 * `/healthz`: what a slate request would get now. 200 `ok` when the version CURRENT names is
 * serving; 200 `degraded` when something still serves but not that (a refused version, a bad
 * pointer, the store failing); 503 `unavailable` when a slate would get 503, and 503
 * `misconfigured` when `/v1/*` would. Problems are summarised; the details are in the log.
 */
export const health = new Hono<HonoEnv>();

health.get('/', async (c) => {
  const misconfigured = configProblem(c.env);
  if (misconfigured) return c.json({ status: 'misconfigured', version: null, reason: misconfigured }, 503);
  const now = Date.now();
  const cfg = settings(c.env);
  const times = { ttlMs: cfg.artifactTtlMs, hardTtlMs: cfg.artifactHardTtlMs };
  const store = storeFor(c.env);
  const artifactCache = c.var.artifactCache;
  // A due check is awaited here, not left to the background: health reports the store as it is
  // now, so it recovers the moment the store does.
  if (artifactCache.due(now, times)) await artifactCache.refresh(store, now);
  let reason: string | null = null;
  try {
    await artifactCache.get(store, now, times, (p) => c.executionCtx.waitUntil(p));
  } catch (e) {
    const known = e instanceof NoArtifactError || e instanceof NoVerifiedVersionError || e instanceof ArtifactUnavailableError;
    reason = known ? e.message : 'internal error';
    if (!known) console.error(`slatecast: /healthz: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  const h = artifactCache.health();
  return c.json(
    {
      status: reason !== null ? 'unavailable' : h.problem ? 'degraded' : 'ok',
      version: h.version,
      pointer_version: h.pointerVersion,
      age_s: h.createdAt === null ? null : Math.round((now - h.createdAt) / 1000),
      loaded_at: h.loadedAt,
      last_check_ok_at: h.lastCheckOkAt,
      problem: h.problem,
      last_error: h.lastError,
      refused_version: h.refusedVersion,
      canary: h.canary && { version: h.canary.version, share: h.canary.share, started_at: h.canary.startedAt },
      reason,
    },
    reason !== null ? 503 : 200,
  );
});
