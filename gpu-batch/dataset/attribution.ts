import type { DuckDBConnection } from '@duckdb/node-api';
import { listValue } from '@duckdb/node-api';
import type { RewardMap } from '../config/rewards.js';
import { EVENT_COLUMNS } from '../lake/columns.js';
import { ident, pathList } from '../lake/duck.js';

/** The table `attributeRewards` leaves: one row per rewarded (impression, shown item). */
export const ATTRIBUTED = ident('attributed');

/** How events become rewards. */
export interface AttributionParams {
  /** Reward per event type; other types give nothing. */
  rewards: RewardMap;
  /** Events received later than this after their impression give nothing. */
  attributionWindowMs: number;
}

/** Event files: the lake's Parquet parts, or NDJSON log objects (`slatecast ope`). */
export interface EventFiles {
  format: 'parquet' | 'ndjson';
  files: readonly string[];
}

/**
 * Reward attribution, the one definition that training, the deploy gate, the ε choice and
 * `slatecast ope` share: the reward of a shown item of an impression is
 *   r(i, item) = Σ_type w(type) · 1[∃ event e of (i, item, type) with ts(i) ≤ received_at(e) ≤ ts(i) + window]
 * with w the reward map. Each event type counts once per shown item (a double click is one
 * click), and the edge clock (`received_at`, which also stamped the impression) decides the window,
 * not the client's.
 *
 * Leaves `ATTRIBUTED("impression_id", "item_id", "reward")` in the session, rows only where the
 * reward is non-zero or some rewarded event arrived (absent = 0).
 * @param impressions a table of the session with "impression_id", "ts" and "items" (constant name, quoted here)
 */
export async function attributeRewards(c: DuckDBConnection, impressions: string, events: EventFiles, p: AttributionParams): Promise<void> {
  const types = Object.keys(p.rewards);
  const imp = ident(impressions);
  await c.run(`CREATE OR REPLACE TEMP TABLE "reward_map" AS SELECT unnest($types::VARCHAR[]) AS "type", unnest($values::DOUBLE[]) AS "reward"`, {
    types: listValue(types),
    values: listValue(types.map((t) => p.rewards[t as keyof RewardMap] ?? 0)),
  });
  if (events.files.length === 0 || types.length === 0) {
    await c.run(`CREATE OR REPLACE TEMP TABLE ${ATTRIBUTED} ("impression_id" VARCHAR, "item_id" VARCHAR, "reward" DOUBLE)`);
    return;
  }
  const source = events.format === 'parquet' ? `read_parquet($events)` : `read_json($events, format = 'newline_delimited', columns = ${EVENT_COLUMNS})`;
  await c.run(
    `CREATE OR REPLACE TEMP TABLE ${ATTRIBUTED} AS
     WITH s AS (SELECT "impression_id", "ts", unnest("items")."item_id" AS "item_id" FROM ${imp}),
     ev AS (
       SELECT e."impression_id", e."item_id", e."type", min(e."received_at") AS "at"
       FROM ${source} e
       WHERE e."impression_id" IN (SELECT "impression_id" FROM ${imp}) AND e."type" IN (SELECT "type" FROM "reward_map")
       GROUP BY ALL
     )
     SELECT s."impression_id", s."item_id", sum(m."reward")::DOUBLE AS "reward"
     FROM s JOIN ev ON ev."impression_id" = s."impression_id" AND ev."item_id" = s."item_id"
            JOIN "reward_map" m ON m."type" = ev."type"
     WHERE ev."at" >= s."ts" AND ev."at" <= s."ts" + $window
     GROUP BY ALL`,
    { events: pathList(events.files), window: p.attributionWindowMs },
  );
}

/** @returns `ATTRIBUTED` as a map from `impressionId + '\u0000' + itemId` to the reward (absent = 0). */
export async function readAttributed(c: DuckDBConnection): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [iid, item, v] of (await c.runAndReadAll(`SELECT "impression_id", "item_id", "reward" FROM ${ATTRIBUTED}`)).getRowsJS()) out.set(rewardKey(String(iid), String(item)), Number(v));
  return out;
}

/** The key of one shown item's reward in `readAttributed`'s map. */
export function rewardKey(impressionId: string, itemId: string): string {
  return `${impressionId}\u0000${itemId}`;
}
