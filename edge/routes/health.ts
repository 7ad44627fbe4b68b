import { Hono } from 'hono';
import { settings, type HonoEnv } from '../env.js';
import { artifactCache } from '../state.js';
import { storeFor } from '../store/index.js';

/** `/healthz`: which version serves, how old it is, and the last problem seen. */
export const health = new Hono<HonoEnv>();

health.get('/', async (c) => {
  const now = Date.now();
  const cfg = settings(c.env);
  let serving = true;
  let reason: string | null = null;
  try {
    await artifactCache.get(storeFor(c.env), now, { ttlMs: cfg.artifactTtlMs, hardTtlMs: cfg.artifactHardTtlMs }, (p) => c.executionCtx.waitUntil(p));
  } catch (e) {
    serving = false;
    reason = e instanceof Error ? e.message : String(e);
  }
  const h = artifactCache.health();
  return c.json(
    {
      status: serving ? (h.lastError && h.lastError.at > (h.loadedAt ?? 0) ? 'degraded' : 'ok') : 'unavailable',
      version: h.version,
      age_s: h.createdAt === null ? null : Math.round((now - h.createdAt) / 1000),
      loaded_at: h.loadedAt,
      last_check_ok_at: h.lastCheckOkAt,
      last_error: h.lastError,
      refused_version: h.refusedVersion,
      reason,
    },
    serving ? 200 : 503,
  );
});
