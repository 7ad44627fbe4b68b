import { Hono } from 'hono';
import { sampleSlate } from '../../shared/explore/index.js';
import { signToken } from '../../shared/crypto/token.js';
import { rngForImpression } from '../../shared/rng.js';
import { SlateQuery, SlateRequest, type SlateResponse } from '../../shared/schemas/slate.js';
import type { ImpressionRecord } from '../../shared/schemas/impression.js';
import { encodeLogLine } from '../../shared/schemas/queue.js';
import { VersionView } from '../../shared/serving/version-view.js';
import { readJson } from '../body.js';
import { edgePorts } from '../candidates/index.js';
import { settings, type AppContext, type HonoEnv } from '../env.js';
import { badRequest, HttpError } from '../errors.js';
import { storeFor } from '../store/index.js';
import { checkUserAssertion } from '../user-assertion.js';
import { readQuery } from '../query.js';

/** `/v1/slate`: GET with a query string, POST with a context object. */
export const slate = new Hono<HonoEnv>();

slate.get('/', async (c) => {
  const parsed = SlateQuery.safeParse(readQuery(c));
  if (!parsed.success) throw badRequest(parsed.error.issues);
  return c.json(await serveSlate(c, parsed.data));
});

slate.post('/', async (c) => {
  const parsed = SlateRequest.safeParse(await readJson(c));
  if (!parsed.success) throw badRequest(parsed.error.issues);
  return c.json(await serveSlate(c, parsed.data));
});

/**
 * Loads the serving version, builds the strategy input with the shared serving view (candidates
 * through the scorer chain cache → wasm → popularity, as the OPE gate rebuilds it), explores with
 * the surface's strategy (seeded from the impression id), signs a token over what was shown and
 * queues the impression log record.
 */
async function serveSlate(c: AppContext, req: SlateRequest): Promise<SlateResponse> {
  const env = c.env;
  const cfg = settings(env);
  const now = Date.now();
  const vouched = await checkUserAssertion(c, req.user_id, now);
  const store = storeFor(env);
  const { artifactCache, impressionLog, matrix, userKeys } = c.var;
  const serving = await artifactCache.get(store, now, { ttlMs: cfg.artifactTtlMs, hardTtlMs: cfg.artifactHardTtlMs }, (p) => c.executionCtx.waitUntil(p));
  const uk = await userKeys.get(env.USER_SALT, req.user_id);
  // A canary's users get its version: the chain, the exploration and the log record are its own.
  const loaded = artifactCache.forUser(serving, uk);
  const view = new VersionView(edgePorts({ loaded, store, cache: artifactCache, matrix, now }));
  const policy = loaded.policy;
  const surface = req.surface ?? policy.default_surface;
  const surfaceCfg = view.surface(surface);
  if (!surfaceCfg) throw new HttpError(400, 'bad_request', `surface: unknown surface "${surface}" (known: ${Object.keys(policy.surfaces).join(', ')})`, 'surface');
  const k = req.k ?? surfaceCfg.k_default;
  if (k > surfaceCfg.k_max) throw new HttpError(400, 'bad_request', `k: at most ${surfaceCfg.k_max} on surface "${surface}"`, 'k');

  const context = req.context ?? {};
  const strategy = surfaceCfg.strategy;
  const { source, input } = await view.serve(strategy, { userKey: uk, k, recent: context.recent_item_ids ?? [], exclude: context.exclude_item_ids ?? [] });
  c.set('source', source);

  const impressionId = crypto.randomUUID();
  const result = sampleSlate(strategy, input, rngForImpression(impressionId));
  if (result.items.length === 0) throw new HttpError(409, 'nothing_to_show', 'every candidate is excluded', 'context.exclude_item_ids');

  const token = await signToken(env.TOKEN_SECRET, {
    iid: impressionId,
    uk,
    it: result.items.map((i) => i.item_id),
    pv: loaded.version,
    exp: Math.floor(now / 1000) + cfg.tokenTtlS,
    ...(vouched ? { va: 1 as const } : {}),
  });
  const record: ImpressionRecord = {
    schema: 'impression/v1',
    impression_id: impressionId,
    ts: now,
    user_key: uk,
    surface,
    policy_version: loaded.version,
    strategy,
    propensity_type: result.propensity_type,
    propensity_method: result.propensity_method ?? 'exact',
    ...(result.replays ? { replays: result.replays } : {}),
    ...(result.effective_params ? { effective_params: result.effective_params } : {}),
    source,
    k,
    items: result.items,
    slate_propensity: result.slate_propensity,
    context: { recent_item_ids: context.recent_item_ids ?? [], exclude_item_ids: context.exclude_item_ids ?? [], locale: context.locale ?? null },
  };
  // The slate is served whether or not logging succeeds; a lost impression costs a training
  // sample, never a response. Events are different (see events.ts).
  const flush = impressionLog.add(env.LOG_QUEUE, encodeLogLine(record));
  if (flush) c.executionCtx.waitUntil(flush);
  return {
    schema: 'slate/v1',
    impression_id: impressionId,
    policy_version: loaded.version,
    surface,
    strategy,
    propensity_type: result.propensity_type,
    propensity_method: result.propensity_method ?? 'exact',
    ...(result.effective_params ? { effective_params: result.effective_params } : {}),
    items: result.items,
    slate_propensity: result.slate_propensity,
    source,
    token,
  };
}
