import type { DuckDBConnection } from '@duckdb/node-api';
import { listValue } from '@duckdb/node-api';
import { ident, pathList, scalar } from '../lake/duck.js';
import { inEvalSlice } from './eval-slice.js';
import { ATTRIBUTED, attributeRewards, type AttributionParams } from './attribution.js';

/** Lake files to learn from. */
export interface LakeFiles {
  impressions: readonly string[];
  events: readonly string[];
}

export interface DatasetParams extends AttributionParams {
  /** Item ids that may be ranked (the catalog); empty = every item seen in the logs. */
  catalogIds: readonly string[];
  /** Only impressions at most this old (relative to the newest) train; 0 = all. */
  trainWindowMs: number;
  /** Newest fraction of impressions held out; 0 = no holdout. */
  holdoutFraction: number;
  /**
   * The deploy gate's evaluation slice (`inEvalSlice`): its share, and the gate's window (the newest
   * `window` impressions of the lake, `readLakeSlates`'s limit). Slice impressions in that window
   * are `held` from per-user learning; older ones have left every later gate's window and train.
   */
  evalSlice?: { share: number; window: number };
}

/** Shape of what `buildDataset` left in DuckDB. */
export interface Dataset {
  users: number;
  items: number;
  /** Shown (impression, item) rows after the catalog filter. */
  shownRows: number;
  /** First impression time of the holdout (rows with ts ≥ cutoff); maxTs + 1 without a holdout. */
  cutoff: number;
  minTs: number;
  maxTs: number;
}

/**
 * Builds the training tables in DuckDB from the lake:
 * - `imp`: the impressions, with the logged `recent_item_ids` as `recent` and the strategy's name
 *   as `strategy_name` (with `policy_version`: the examination experiments, `readExaminationCells`);
 * - `items(item_idx, item_id)`: rankable items in matrix row order (sorted ids);
 * - `users(user_idx, user_key)`: users with an impression in the training window;
 * - `held(impression_id)`: the gate's evaluation slice that a gate can still read (`inEvalSlice`);
 * - `shown(ts, user_idx, item_idx, position, propensity, explored, surface, reward, above)`: one row
 *   per item shown, with its reward as `attributeRewards` defines it (reward 0 otherwise) and the
 *   rewarded slots above it in its slate (`above`: what a reader who stops after a click
 *   saw first; `stopFactors`), and whether its impression is `held` (no per-user learning reads it).
 * Propensities are carried along for off-policy evaluation.
 */
export async function buildDataset(c: DuckDBConnection, lake: LakeFiles, p: DatasetParams): Promise<Dataset> {
  // "recent": the logged context.recent_item_ids (what the site sent; the wasm step's input).
  await c.run(
    `CREATE OR REPLACE TEMP TABLE "imp" AS SELECT "impression_id", "ts", "user_key", "surface", "policy_version", json_extract_string("strategy", '$.name') AS "strategy_name", "items", coalesce(json_extract_string("context", '$.recent_item_ids[*]'), []) AS "recent" FROM read_parquet($imps)`,
    { imps: pathList(lake.impressions) },
  );
  const maxTs = await scalar(c, `SELECT coalesce(max("ts"), 0) FROM "imp"`);
  const minTs = await scalar(c, `SELECT coalesce(min("ts"), 0) FROM "imp"`);
  const since = p.trainWindowMs > 0 ? maxTs - p.trainWindowMs : -1;
  await c.run(`DELETE FROM "imp" WHERE "ts" < $since`, { since });
  // The gate's slice (`held`): no user's taste or list learns from the part a gate can still
  // read, so the gate judges every version's personal lists on clicks they did not memorise.
  // Items' base appeal still counts it (the gate's reward model sees every impression anyway).
  if (p.evalSlice?.share) {
    await c.run(
      `CREATE OR REPLACE TEMP TABLE "held" AS SELECT "impression_id" FROM "imp"
       WHERE ${inEvalSlice(p.evalSlice.share)} AND "impression_id" IN (SELECT "impression_id" FROM read_parquet($imps) ORDER BY "ts" DESC, "impression_id" DESC LIMIT $window)`,
      { imps: pathList(lake.impressions), window: p.evalSlice.window },
    );
  } else {
    await c.run(`CREATE OR REPLACE TEMP TABLE "held" AS SELECT "impression_id" FROM "imp" WHERE false`);
  }

  if (p.catalogIds.length > 0) {
    await c.run(`CREATE OR REPLACE TEMP TABLE "items" AS SELECT "item_id", (row_number() OVER (ORDER BY "item_id") - 1)::INTEGER AS "item_idx" FROM (SELECT DISTINCT unnest($ids::VARCHAR[]) AS "item_id")`, { ids: listValue([...p.catalogIds]) });
  } else {
    await c.run(`CREATE OR REPLACE TEMP TABLE "items" AS SELECT "item_id", (row_number() OVER (ORDER BY "item_id") - 1)::INTEGER AS "item_idx" FROM (SELECT DISTINCT unnest("items")."item_id" AS "item_id" FROM "imp")`);
  }
  await c.run(`CREATE OR REPLACE TEMP TABLE "users" AS SELECT "user_key", (row_number() OVER (ORDER BY "user_key") - 1)::INTEGER AS "user_idx" FROM (SELECT DISTINCT "user_key" FROM "imp")`);
  await attributeRewards(c, 'imp', { format: 'parquet', files: lake.events }, p);
  await c.run(
    `CREATE OR REPLACE TEMP TABLE "shown" AS
     WITH s AS (
       SELECT "impression_id", "ts", "user_key", "surface", it."item_id" AS "item_id", it."position" AS "position",
              it."propensity" AS "propensity", it."explored" AS "explored", "held"
       FROM (SELECT "impression_id", "ts", "user_key", "surface", unnest("items") AS it, "impression_id" IN (SELECT "impression_id" FROM "held") AS "held" FROM "imp")
     ), r AS (
       SELECT s.*, coalesce(a."reward", 0)::DOUBLE AS "reward" FROM s LEFT JOIN ${ATTRIBUTED} a USING ("impression_id", "item_id")
     ), above AS (
       SELECT r.*, coalesce(sum(("reward" > 0)::INTEGER) OVER (PARTITION BY "impression_id" ORDER BY "position" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::INTEGER AS "above" FROM r
     )
     SELECT x."ts", u."user_idx", i."item_idx", x."position", x."propensity", x."explored", x."surface", x."reward", x."above", x."held"
     FROM above x JOIN "users" u USING ("user_key") JOIN "items" i USING ("item_id")`,
  );
  const cutoff =
    p.holdoutFraction > 0 ? await scalar(c, `SELECT coalesce(quantile_disc("ts", $q), 0) FROM "imp"`, { q: 1 - p.holdoutFraction }) : maxTs + 1;
  return {
    users: await scalar(c, `SELECT count(*) FROM "users"`),
    items: await scalar(c, `SELECT count(*) FROM "items"`),
    shownRows: await scalar(c, `SELECT count(*) FROM "shown"`),
    cutoff,
    minTs,
    maxTs,
  };
}

/** Drops what `buildDataset` left in the session, so the rest of a run does not hold it in memory. */
export async function dropDataset(c: DuckDBConnection): Promise<void> {
  for (const t of ['imp', 'held', 'items', 'users', 'shown', 'attributed', 'reward_map']) await c.run(`DROP TABLE IF EXISTS ${ident(t)}`);
}
