import type { DuckDBConnection } from '@duckdb/node-api';
import { listValue } from '@duckdb/node-api';
import { exploredAsPoolDraw, type LoggedSlate } from '../../shared/ope/logged-slate.js';
import { attributeRewards, readAttributed, rewardKey, type AttributionParams } from '../dataset/attribution.js';
import type { LakeFiles } from '../dataset/build-dataset.js';
import { inEvalSlice } from '../dataset/eval-slice.js';
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
  /** In the gate's evaluation slice (`ReadSlatesOptions.slice`): no version's per-user learning read it. */
  in_slice?: boolean;
}

export interface ReadSlatesOptions extends AttributionParams {
  /** The newest `limit` impressions (by ts, ties by id) are read. */
  limit: number;
  /** Marks the impressions of the gate's evaluation slice of this share (`inEvalSlice`, `in_slice`); 0 or absent: none. */
  slice?: number;
  /** Only these surfaces; all when absent. */
  surfaces?: readonly string[];
}

/**
 * Reads the newest impressions of the Parquet lake with per-position rewards attributed as
 * training attributes them (`attributeRewards`). File lists and every value are bound parameters.
 * @returns impressions newest first
 */
export async function readLakeSlates(c: DuckDBConnection, lake: LakeFiles, o: ReadSlatesOptions): Promise<LoggedImpression[]> {
  if (lake.impressions.length === 0 || o.limit <= 0) return [];
  const surfaceFilter = o.surfaces ? `WHERE "surface" IN (SELECT unnest($surfaces::VARCHAR[]))` : '';
  await c.run(
    `CREATE OR REPLACE TEMP TABLE "ope_imp" AS
     SELECT "impression_id", "ts", "user_key", "surface", "policy_version", "k", "context"::VARCHAR AS "context", "items", json_extract_string("strategy", '$.name') AS "strategy_name", ${inEvalSlice(o.slice ?? 0)} AS "in_slice"
     FROM read_parquet($imps) ${surfaceFilter}
     ORDER BY "ts" DESC, "impression_id" DESC LIMIT $limit`,
    { imps: pathList(lake.impressions), limit: o.limit, ...(o.surfaces ? { surfaces: listValue([...o.surfaces]) } : {}) },
  );
  const rows = (await c.runAndReadAll(`SELECT "impression_id", "ts", "user_key", "surface", "policy_version", "k", "context", to_json("items")::VARCHAR, "strategy_name", "in_slice" FROM "ope_imp" ORDER BY "ts" DESC, "impression_id" DESC`)).getRowsJS();
  await attributeRewards(c, 'ope_imp', { format: 'parquet', files: lake.events }, o);
  const reward = await readAttributed(c);
  await c.run(`DROP TABLE IF EXISTS "ope_imp"`);
  return rows.map(([iid, ts, uk, surface, pv, k, context, items, strategy, slice]) => {
    const marks = exploredAsPoolDraw({ name: strategy });
    const id = String(iid);
    const shown = JSON.parse(String(items)) as Array<{ item_id: string; position: number; propensity: number; explored: boolean }>;
    const ctx = context === null ? null : (JSON.parse(String(context)) as { exclude_item_ids?: string[]; recent_item_ids?: string[] });
    return {
      slate: {
        impression_id: id,
        ts: Number(ts),
        policy_version: pv === null ? null : String(pv),
        items: shown.map((it) => ({ item_id: it.item_id, position: it.position, propensity: it.propensity, reward: reward.get(rewardKey(id, it.item_id)) ?? 0, ...(marks ? { explored: it.explored } : {}) })),
      },
      user_key: String(uk),
      surface: String(surface),
      k: Number(k),
      exclude: ctx?.exclude_item_ids ?? [],
      recent: ctx?.recent_item_ids ?? [],
      in_slice: slice === true,
    };
  });
}
