import type { MiddlewareHandler } from 'hono';
import type { SlateSource } from '../shared/schemas/slate.js';
import type { HonoEnv } from './env.js';

/** The routes counted; anything else is `other` (an unbounded path would blow up the index). */
const ROUTES = ['/v1/slate', '/v1/events', '/healthz', '/openapi.json', '/ping'] as const;

/**
 * One Analytics Engine data point per request:
 * blobs = [route, method, status class, scorer source ('' when none)], doubles = [status, 1],
 * index = route. The status class (`2xx` … `5xx`) makes error-rate queries a plain GROUP BY; the
 * source (cache | wasm | popularity) says which step of the scorer chain answered a slate.
 * @param path the request's path
 */
export function requestDataPoint(path: string, method: string, status: number, source: SlateSource | undefined): AnalyticsEngineDataPoint {
  const route = (ROUTES as readonly string[]).includes(path) ? path : 'other';
  return { indexes: [route], blobs: [route, method, `${Math.floor(status / 100)}xx`, source ?? ''], doubles: [status, 1] };
}

/**
 * Counts every request in the `EDGE_METRICS` Analytics Engine dataset when the binding is
 * configured (wrangler.toml); without it, does nothing. `writeDataPoint` is fire-and-forget and
 * never throws into the request, so counting cannot fail a slate.
 */
export const recordRequest: MiddlewareHandler<HonoEnv> = async (c, next) => {
  await next();
  const dataset = c.env.EDGE_METRICS as AnalyticsEngineDataset | undefined;
  if (!dataset) return;
  try {
    dataset.writeDataPoint(requestDataPoint(c.req.path, c.req.method, c.res.status, c.get('source')));
  } catch (e) {
    console.error(`slatecast: metrics write failed: ${(e as Error).message}`);
  }
};
