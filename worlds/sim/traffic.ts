import { SlatecastClient } from '../../client/index.js';
import { SlateResponse } from '../../shared/schemas/slate.js';
import { expectedClicks, sampleClicks } from './click-model.js';
import type { Visit } from './visits.js';
import type { SimItem, World } from './world.js';

/** What one visit was served and did. */
export interface ServedVisit {
  visit: Visit;
  items: SimItem[];
  explored: boolean[];
  /** Expected clicks of the served slate under the world's click model. */
  expected: number;
  clicked: boolean[];
  version: string;
  source: string;
  /** The recent items the site sent with the request (newest first; empty: none). */
  recent: string[];
}

/**
 * What the site knows of its users' recent clicks, newest first, across rounds; the site sends
 * the `items` newest with each slate request as `context.recent_item_ids` (0: sends none).
 */
export interface RecentClicks {
  items: number;
  byUser: Map<string, string[]>;
}

/** What one round of simulated traffic saw. */
export interface RoundTraffic {
  served: ServedVisit[];
  sources: Record<string, number>;
  versions: Set<string>;
  impressionIds: string[];
  eventIds: string[];
  errors: string[];
}

/**
 * Drives the edge over HTTP for one round through the typed client (`slatecast/client`), as a site
 * would: each visit is `GET /v1/slate`, the
 * user reads the slate by the world's click model (clicks seeded by the world's seed, the round
 * and the visit, so they replay), and each click is `POST /v1/events` with the impression's token.
 * @param concurrency simultaneous visits in flight
 */
export async function runTraffic(
  world: World,
  round: number,
  visits: readonly Visit[],
  baseUrl: string,
  opts: { concurrency: number; recent?: RecentClicks; onProgress?: (done: number, total: number) => void },
): Promise<RoundTraffic> {
  const t: RoundTraffic = { served: [], sources: {}, versions: new Set(), impressionIds: [], eventIds: [], errors: [] };
  // No retries: every failed request counts as an error of the round, and the round reports them.
  const client = new SlatecastClient({ baseUrl, retry: { retries: 0 } });
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < visits.length) {
        const v = visits[next++]!;
        try {
          t.served.push(await visit(world, round, v, client, t, opts.recent));
        } catch (e) {
          t.errors.push((e as Error).message);
        }
        opts.onProgress?.(++done, visits.length);
      }
    }),
  );
  t.served.sort((a, b) => a.visit.index - b.visit.index);
  return t;
}

async function visit(world: World, round: number, v: Visit, client: SlatecastClient, t: RoundTraffic, recentClicks?: RecentClicks): Promise<ServedVisit> {
  const recent = recentClicks?.items ? (recentClicks.byUser.get(v.user.id) ?? []).slice(0, recentClicks.items) : [];
  // With recent items the request is a POST with a context, as a site's client sends it; else a GET.
  const s = SlateResponse.parse(await client.getSlate({ user_id: v.user.id, k: world.params.k, ...(recent.length ? { context: { recent_item_ids: recent } } : {}) }));
  t.impressionIds.push(s.impression_id);
  t.versions.add(s.policy_version);
  t.sources[s.source] = (t.sources[s.source] ?? 0) + 1;
  const items = s.items.map((i) => {
    const it = world.itemById(i.item_id);
    if (!it) throw new Error(`edge served unknown item ${i.item_id}`);
    return it;
  });
  const a = items.map((it) => world.attraction(v.user, it));
  const clicked = sampleClicks(world.clickModel, a, world.rngFor(`click:${round}:${v.index}`));
  for (const [p, item] of s.items.entries()) {
    if (!clicked[p]) continue;
    t.eventIds.push((await client.postEvent({ token: s.token, item_id: item.item_id, type: 'click' })).event_id);
  }
  if (recentClicks?.items) {
    // Newest first: a slate's clicks bottom-up, before the older ones; each item once.
    const now = s.items.filter((_, p) => clicked[p]).map((i) => i.item_id).reverse();
    if (now.length) recentClicks.byUser.set(v.user.id, [...new Set([...now, ...(recentClicks.byUser.get(v.user.id) ?? [])])].slice(0, 100));
  }
  return { visit: v, items, explored: s.items.map((i) => i.explored), expected: expectedClicks(world.clickModel, a), clicked, version: s.policy_version, source: s.source, recent };
}
