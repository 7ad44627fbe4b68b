import { Hono, type ErrorHandler, type MiddlewareHandler, type NotFoundHandler } from 'hono';
import { ArtifactUnavailableError, NoArtifactError, NoVerifiedVersionError } from './artifact/artifact-cache.js';
import { configProblem } from './config-check.js';
import type { EdgeDeps } from './deps.js';
import type { HonoEnv } from './env.js';
import { HttpError } from './errors.js';
import { recordRequest } from './request-metrics.js';
import { events } from './routes/events.js';
import { health } from './routes/health.js';
import { openapi } from './routes/openapi.js';
import { slate } from './routes/slate.js';

/**
 * The edge app: sub-apps mounted by path, one error envelope for everything.
 * @param deps what it keeps between requests, handed to every request as Hono variables
 *   (`c.var.artifactCache` …): one object per isolate in the Worker, one per test in tests
 */
export function createApp(deps: EdgeDeps): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  const names = Object.keys(deps) as Array<keyof EdgeDeps>;
  app.use('*', async (c, next) => {
    for (const name of names) c.set(name, deps[name] as never);
    await next();
  });
  // Counted first, so the count sees the final status (errors included: onError has run by then).
  app.use('*', recordRequest);
  app.use('/v1/*', requireConfig);
  app.use('/v1/slate', refuseHead);
  app.get('/ping', (c) => c.text('ok'));
  app.route('/healthz', health);
  app.route('/openapi.json', openapi);
  app.route('/v1/slate', slate);
  app.route('/v1/events', events);
  app.notFound(notFound);
  app.onError(renderError);
  return app;
}

/**
 * Refuses to run with missing or weak secrets, or an incomplete store setting, rather than sign
 * with them or fail later with a 500. /healthz reports the same problem.
 */
const requireConfig: MiddlewareHandler<HonoEnv> = async (c, next) => {
  const problem = configProblem(c.env);
  if (problem) {
    console.error(`slatecast: misconfigured: ${problem}`);
    throw new HttpError(503, 'misconfigured', 'service is not configured');
  }
  await next();
};

/**
 * Hono answers HEAD by running the GET handler and dropping the body; for a slate that would
 * log an impression and sign a token nobody receives.
 * Matched as a GET (Hono routes HEAD so), told apart by the request's own method.
 */
const refuseHead: MiddlewareHandler<HonoEnv> = async (c, next) => {
  if (c.req.method !== 'HEAD') return next();
  c.header('allow', 'GET, POST');
  return c.body(null, 405);
};

const notFound: NotFoundHandler<HonoEnv> = (c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${new URL(c.req.url).pathname}` } }, 404);

const renderError: ErrorHandler<HonoEnv> = (err, c) => {
  if (err instanceof HttpError) return c.json({ error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } }, err.status);
  if (err instanceof NoArtifactError) return c.json({ error: { code: 'no_artifact', message: 'no artifact version has been published yet; run the batch tier' } }, 503);
  if (err instanceof NoVerifiedVersionError) return c.json({ error: { code: 'no_verified_version', message: 'no published artifact version passes verification; see /healthz' } }, 503);
  if (err instanceof ArtifactUnavailableError) return c.json({ error: { code: 'artifact_unavailable', message: 'artifact store unreachable; retry later' } }, 503);
  // Hono's own HTTPException (e.g. from middleware) carries a response status.
  const status = (err as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) return c.json({ error: { code: 'bad_request', message: err.message || 'bad request' } }, status as 400);
  console.error(`slatecast: unexpected error on ${c.req.method} ${new URL(c.req.url).pathname}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return c.json({ error: { code: 'internal', message: 'internal error' } }, 500);
};
