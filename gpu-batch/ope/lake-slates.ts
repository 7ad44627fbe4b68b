import type { DuckDBConnection } from '@duckdb/node-api';
import { listValue } from '@duckdb/node-api';
import type { LoggedSlate } from '../../shared/ope/logged-slate.js';
import type { RewardMap } from '../config/rewards.js';
import { pathList } from '../lake/duck.js';

/** One logged impression with what a target policy needs to recompute its slate, and its rewards. */
export interface LoggedImpression {
  slate: LoggedSlate;
  user_key: string;
  surface: string;
  k: number;
  exclude: string[];
  /** The logged `context.recent_item_ids`: what the edge's wasm step ranked from. */
  recent: string[];
}

export interface ReadSlatesOptions {
  /** The newest `limit` impressions (by ts, ties by id) are read. */
  limit: number;
  rewards: RewardMap;
  attributionWindowMs: number;
  /** Only these surfaces; all when absent. */
  surfaces?: readonly string[];
}

/**
 * Reads the newest impressions of the Parquet lake with per-position rewards attributed the way
 * training does (`dataset/build-dataset.ts`): events of the same impression and item that arrived
 * (`received_at`) within the attribution window, each event type counted once per shown item,
 * weighted by the reward map. File lists and every value are bound parameters.
 * @returns impressions newest first
 */
export async function readLakeSlates(c: DuckDBConnection, lake: { impressions: readonly string[]; events: readonly string[] }, o: ReadSlatesOptions): Promise<LoggedImpression[]> {
  if (lake.impressions.length === 0 || o.limit <= 0) return [];
  const surfaceFilter = o.surfaces ? `WHERE surface IN (SELECT unnest($surfaces::VARCHAR[]))` : '';
  await c.run(
    `CREATE OR REPLACE TEMP TABLE ope_imp AS
     SELECT impression_id, ts, user_key, surface, policy_version, k, context::VARCHAR AS context, items
     FROM read_parquet($imps) ${surfaceFilter}
     ORDER BY ts DESC, impression_id DESC LIMIT $limit`,
    { imps: pathList(lake.impressions), limit: o.limit, ...(o.surfaces ? { surfaces: listValue([...o.surfaces]) } : {}) },
  );
  const rows = (await c.runAndReadAll(`SELECT impression_id, ts, user_key, surface, policy_version, k, context, to_json(items)::VARCHAR FROM ope_imp ORDER BY ts DESC, impression_id DESC`)).getRowsJS();
  const reward = new Map<string, number>();
  const types = Object.keys(o.rewards);
  if (lake.events.length > 0 && types.length > 0) {
    const r = await c.runAndReadAll(
      `WITH m AS (SELECT unnest($types::VARCHAR[]) AS type, unnest($values::DOUBLE[]) AS reward),
       s AS (SELECT impression_id, ts, unnest(items).item_id AS item_id FROM ope_imp),
       ev AS (
         SELECT e.impression_id, e.item_id, e.type, min(e.received_at) AS "at"
         FROM read_parquet($events) e
         WHERE e.impression_id IN (SELECT impression_id FROM ope_imp) AND e.type IN (SELECT type FROM m)
         GROUP BY ALL
       )
       SELECT s.impression_id, s.item_id, sum(m.reward)::DOUBLE
       FROM s JOIN ev ON ev.impression_id = s.impression_id AND ev.item_id = s.item_id JOIN m ON m.type = ev.type
       WHERE ev."at" >= s.ts AND ev."at" <= s.ts + $window
       GROUP BY ALL`,
      { events: pathList(lake.events), types: listValue(types), values: listValue(types.map((t) => o.rewards[t as keyof RewardMap] ?? 0)), window: o.attributionWindowMs },
    );
    for (const [iid, item, v] of r.getRowsJS()) reward.set(`${String(iid)}\u0000${String(item)}`, Number(v));
  }
  await c.run(`DROP TABLE IF EXISTS ope_imp`);
  return rows.map(([iid, ts, uk, surface, pv, k, context, items]) => {
    const id = String(iid);
    const shown = JSON.parse(String(items)) as Array<{ item_id: string; position: number; propensity: number }>;
    const ctx = context === null ? null : (JSON.parse(String(context)) as { exclude_item_ids?: string[]; recent_item_ids?: string[] });
    return {
      slate: {
        impression_id: id,
        ts: Number(ts),
        policy_version: pv === null ? null : String(pv),
        items: shown.map((it) => ({ item_id: it.item_id, position: it.position, propensity: it.propensity, reward: reward.get(`${id}\u0000${it.item_id}`) ?? 0 })),
      },
      user_key: String(uk),
      surface: String(surface),
      k: Number(k),
      exclude: ctx?.exclude_item_ids ?? [],
      recent: ctx?.recent_item_ids ?? [],
    };
  });
}
