import { SlatecastClient } from '../client/index.js';
import { rngForImpression } from '../shared/rng.js';
import { SlateResponse } from '../shared/schemas/slate.js';
import type { SimItem, SimUser, World } from './world.js';

/** What one round of simulated traffic saw. */
export interface RoundTraffic {
  requests: number;
  shown: number;
  clicks: number;
  expectedClicks: number;
  oracleClicks: number;
  explored: { shown: number; clicks: number };
  exploited: { shown: number; clicks: number };
  itemsShown: Set<string>;
  /** Items shown from the ranking (not the exploration branch). */
  itemsExploited: Set<string>;
  sources: Record<string, number>;
  versions: Set<string>;
  impressionIds: string[];
  eventIds: string[];
  errors: string[];
}

/**
 * Drives the edge over HTTP for one round: every active user asks for `requestsPerUser` slates,
 * clicks by the world's ground truth, and posts each click with the impression's token.
 * @param concurrency simultaneous users
 */
export async function runTraffic(world: World, round: number, baseUrl: string, opts: { k: number; concurrency: number; onProgress?: (done: number, total: number) => void }): Promise<RoundTraffic> {
  const t: RoundTraffic = {
    requests: 0,
    shown: 0,
    clicks: 0,
    expectedClicks: 0,
    oracleClicks: 0,
    explored: { shown: 0, clicks: 0 },
    exploited: { shown: 0, clicks: 0 },
    itemsShown: new Set(),
    itemsExploited: new Set(),
    sources: {},
    versions: new Set(),
    impressionIds: [],
    eventIds: [],
    errors: [],
  };
  const visits: SimUser[] = [];
  for (const u of world.activeUsers(round)) for (let i = 0; i < world.opts.requestsPerUser; i++) visits.push(u);
  const order = world.rngFor(`order:${round}`);
  for (let i = visits.length - 1; i > 0; i--) {
    const j = Math.floor(order.next() * (i + 1));
    [visits[i], visits[j]] = [visits[j]!, visits[i]!];
  }
  // No retries: every failed request counts as an error of the round, as the demo reports them.
  const client = new SlatecastClient({ baseUrl, retry: { retries: 0 } });
  let next = 0;
  let done = 0;
  const oracleCache = new Map<string, number>();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < visits.length) {
        const user = visits[next++]!;
        try {
          await visit(world, user, client, opts.k, t, oracleCache);
        } catch (e) {
          t.errors.push(e instanceof Error ? e.message : String(e));
        }
        opts.onProgress?.(++done, visits.length);
      }
    }),
  );
  return t;
}

async function visit(world: World, user: SimUser, client: SlatecastClient, k: number, t: RoundTraffic, oracleCache: Map<string, number>): Promise<void> {
  const s = SlateResponse.parse(await client.getSlate({ user_id: user.id, k }));
  t.requests++;
  t.impressionIds.push(s.impression_id);
  t.versions.add(s.policy_version);
  t.sources[s.source] = (t.sources[s.source] ?? 0) + 1;
  const slate: SimItem[] = s.items.map((i) => {
    const it = world.itemById(i.item_id);
    if (!it) throw new Error(`edge served unknown item ${i.item_id}`);
    return it;
  });
  // The user's clicks are random but replayable: seeded from the impression id.
  const clicks = world.clicks(user, slate, rngForImpression(`click:${s.impression_id}`));
  t.shown += slate.length;
  t.expectedClicks += world.expectedClicks(user, slate);
  let oracle = oracleCache.get(user.id);
  if (oracle === undefined) {
    oracle = world.oracleClicks(user, slate.length);
    oracleCache.set(user.id, oracle);
  }
  t.oracleClicks += oracle;
  for (const [p, item] of s.items.entries()) {
    t.itemsShown.add(item.item_id);
    const side = item.explored ? t.explored : t.exploited;
    side.shown++;
    if (!item.explored) t.itemsExploited.add(item.item_id);
    if (!clicks[p]) continue;
    side.clicks++;
    t.clicks++;
    t.eventIds.push((await client.postEvent({ token: s.token, item_id: item.item_id, type: 'click' })).event_id);
  }
}
