import type { DuckDBConnection } from '@duckdb/node-api';
import { listValue } from '@duckdb/node-api';
import type { RewardMap } from '../config/rewards.js';
import { pathList, scalar } from '../lake/duck.js';

/** Lake files to learn from. */
export interface LakeFiles {
  impressions: readonly string[];
  events: readonly string[];
}

export interface DatasetParams {
  rewards: RewardMap;
  attributionWindowMs: number;
  /** Item ids that may be ranked (the catalog); empty = every item seen in the logs. */
  catalogIds: readonly string[];
  /** Only impressions at most this old (relative to the newest) train; 0 = all. */
  trainWindowMs: number;
  /** Newest fraction of impressions held out; 0 = no holdout. */
  holdoutFraction: number;
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
 * - `items(item_idx, item_id)`: rankable items in matrix row order (sorted ids);
 * - `users(user_idx, user_key)`: users with an impression in the training window;
 * - `shown(ts, user_idx, item_idx, position, propensity, explored, surface, reward)`: one row per
 *   item shown, with its reward joined from events of the same impression and item that arrived
 *   within the attribution window (reward 0 otherwise). Each event type counts once per shown
 *   item, so a double-clicked item is still one click. Event arrival time (`received_at`, the
 *   edge clock that also stamped the impression) decides the window, not the client clock.
 * Propensities are carried along for off-policy evaluation.
 */
export async function buildDataset(c: DuckDBConnection, lake: LakeFiles, p: DatasetParams): Promise<Dataset> {
  const types = Object.keys(p.rewards);
  // Every identifier quoted: the empty `ev` table below declares a column named `at`, which
  // DuckDB 1.5 parses as a keyword unless quoted (the run before the first event failed so).
  await c.run(`CREATE OR REPLACE TEMP TABLE "reward_map" AS SELECT unnest($types::VARCHAR[]) AS "type", unnest($values::DOUBLE[]) AS "reward"`, {
    types: listValue(types),
    values: listValue(types.map((t) => p.rewards[t as keyof RewardMap] ?? 0)),
  });
  await c.run(`CREATE OR REPLACE TEMP TABLE "imp" AS SELECT "impression_id", "ts", "user_key", "surface", "items" FROM read_parquet($imps)`, { imps: pathList(lake.impressions) });
  const maxTs = await scalar(c, `SELECT coalesce(max("ts"), 0) FROM "imp"`);
  const minTs = await scalar(c, `SELECT coalesce(min("ts"), 0) FROM "imp"`);
  const since = p.trainWindowMs > 0 ? maxTs - p.trainWindowMs : -1;
  await c.run(`DELETE FROM "imp" WHERE "ts" < $since`, { since });

  if (p.catalogIds.length > 0) {
    await c.run(`CREATE OR REPLACE TEMP TABLE "items" AS SELECT "item_id", (row_number() OVER (ORDER BY "item_id") - 1)::INTEGER AS "item_idx" FROM (SELECT DISTINCT unnest($ids::VARCHAR[]) AS "item_id")`, { ids: listValue([...p.catalogIds]) });
  } else {
    await c.run(`CREATE OR REPLACE TEMP TABLE "items" AS SELECT "item_id", (row_number() OVER (ORDER BY "item_id") - 1)::INTEGER AS "item_idx" FROM (SELECT DISTINCT unnest("items")."item_id" AS "item_id" FROM "imp")`);
  }
  await c.run(`CREATE OR REPLACE TEMP TABLE "users" AS SELECT "user_key", (row_number() OVER (ORDER BY "user_key") - 1)::INTEGER AS "user_idx" FROM (SELECT DISTINCT "user_key" FROM "imp")`);

  if (lake.events.length > 0) {
    await c.run(
      `CREATE OR REPLACE TEMP TABLE "ev" AS
       SELECT e."impression_id", e."item_id", e."type", min(e."received_at") AS "at"
       FROM read_parquet($events) e JOIN "reward_map" m ON m."type" = e."type" GROUP BY ALL`,
      { events: pathList(lake.events) },
    );
  } else {
    await c.run(`CREATE OR REPLACE TEMP TABLE "ev" ("impression_id" VARCHAR, "item_id" VARCHAR, "type" VARCHAR, "at" BIGINT)`);
  }
  await c.run(
    `CREATE OR REPLACE TEMP TABLE "shown" AS
     WITH s AS (
       SELECT "impression_id", "ts", "user_key", "surface", it."item_id" AS "item_id", it."position" AS "position",
              it."propensity" AS "propensity", it."explored" AS "explored"
       FROM (SELECT "impression_id", "ts", "user_key", "surface", unnest("items") AS it FROM "imp")
     ),
     r AS (
       SELECT s."impression_id", s."item_id", sum(m."reward") AS "reward"
       FROM s JOIN "ev" e ON e."impression_id" = s."impression_id" AND e."item_id" = s."item_id"
              JOIN "reward_map" m ON m."type" = e."type"
       WHERE e."at" >= s."ts" AND e."at" <= s."ts" + $window
       GROUP BY ALL
     )
     SELECT s."ts", u."user_idx", i."item_idx", s."position", s."propensity", s."explored", s."surface",
            coalesce(r."reward", 0)::DOUBLE AS "reward"
     FROM s JOIN "users" u USING ("user_key") JOIN "items" i USING ("item_id")
            LEFT JOIN r USING ("impression_id", "item_id")`,
    { window: p.attributionWindowMs },
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
