import type { DuckDBConnection } from '@duckdb/node-api';
import type { ExaminationCell } from '../../shared/ope/examination.js';
import { exploredAsPoolDraw } from '../../shared/ope/logged-slate.js';
import { pathList, scalar } from '../lake/duck.js';
import { ATTRIBUTED } from './attribution.js';
import type { LakeFiles } from './build-dataset.js';

/** Columnar training examples for weighted logistic matrix factorisation. */
export interface TrainingPairs {
  user: Int32Array;
  item: Int32Array;
  /** Label: 1 for a rewarded (user, item), 0 for shown-not-rewarded. */
  y: Float32Array;
  /** Example weight: reward mass for positives, (kept) shown count / keep-probability for negatives. */
  w: Float32Array;
  positives: number;
  /** Probability with which a negative-only (user, item) pair was kept. */
  keepNegatives: number;
}

async function columns(c: DuckDBConnection, sql: string, params: Parameters<DuckDBConnection['run']>[1] = {}): Promise<unknown[][]> {
  const r = await c.runAndReadAll(sql, params);
  return r.getColumnsJS() as unknown[][];
}

/** @returns user keys by `user_idx` and item ids by `item_idx` */
export async function readIndex(c: DuckDBConnection): Promise<{ userKeys: string[]; itemIds: string[] }> {
  const [userKeys] = await columns(c, `SELECT "user_key" FROM "users" ORDER BY "user_idx"`);
  const [itemIds] = await columns(c, `SELECT "item_id" FROM "items" ORDER BY "item_idx"`);
  return { userKeys: (userKeys ?? []) as string[], itemIds: (itemIds ?? []) as string[] };
}

/**
 * Training examples from shown rows before `before`, aggregated per (user, item): a pair with
 * rewards gives a positive (weight = reward sum) and, if also shown without reward, a negative
 * (weight = unrewarded showings). Pairs that were only ever unrewarded are subsampled to about
 * `negativesPerPositive` per positive pair with a deterministic hash, and up-weighted by the
 * inverse keep rate so the loss stays an unbiased estimate of the full one.
 */
export async function readTrainingPairs(c: DuckDBConnection, opts: { before: number; negativesPerPositive: number; seed: number }): Promise<TrainingPairs> {
  await c.run(
    `CREATE OR REPLACE TEMP TABLE "pairs" AS
     SELECT "user_idx", "item_idx", count(*)::INTEGER AS "n",
            count(*) FILTER (WHERE "reward" > 0)::INTEGER AS "pos", sum("reward")::DOUBLE AS "r"
     FROM "shown" WHERE "ts" < $before AND NOT "held" GROUP BY "user_idx", "item_idx"`,
    { before: opts.before },
  );
  const posPairs = await scalar(c, `SELECT count(*) FROM "pairs" WHERE "pos" > 0`);
  const negPairs = await scalar(c, `SELECT count(*) FROM "pairs" WHERE "pos" = 0`);
  const keep = negPairs === 0 ? 1 : Math.min(1, (opts.negativesPerPositive * Math.max(posPairs, 1)) / negPairs);
  // Expanded in SQL (a rewarded pair → a positive row, plus a negative row for its unrewarded
  // showings) and read straight into typed arrays: no JS array of boxed values per example.
  const [user, item, y, w] = await typedColumns(
    c,
    `WITH "kept" AS (
       SELECT "user_idx", "item_idx", "n", "pos", "r" FROM "pairs"
       WHERE "pos" > 0 OR (hash("user_idx", "item_idx", $seed) % 1000000) < $ppm
     )
     SELECT "user_idx", "item_idx", 1::INTEGER AS "y", "r" AS "w" FROM "kept" WHERE "pos" > 0
     UNION ALL SELECT "user_idx", "item_idx", 0, ("n" - "pos")::DOUBLE FROM "kept" WHERE "pos" > 0 AND "n" > "pos"
     UNION ALL SELECT "user_idx", "item_idx", 0, "n" / $keep FROM "kept" WHERE "pos" = 0
     ORDER BY "user_idx", "item_idx", "y" DESC`,
    { seed: opts.seed, ppm: Math.round(keep * 1_000_000), keep },
    [Int32Array, Int32Array, Float32Array, Float32Array],
  );
  return { user: user as Int32Array, item: item as Int32Array, y: y as Float32Array, w: w as Float32Array, positives: posPairs, keepNegatives: keep };
}

type TypedCtor = Int32ArrayConstructor | Float32ArrayConstructor | Float64ArrayConstructor;

/** Reads numeric result columns chunk by chunk into typed arrays (nulls read as 0). */
async function typedColumns(c: DuckDBConnection, sql: string, params: Parameters<DuckDBConnection['run']>[1], types: readonly TypedCtor[]): Promise<Array<Int32Array | Float32Array | Float64Array>> {
  const r = await c.run(sql, params);
  const rows = r.rowCount;
  const out = types.map((T) => new T(rows));
  let at = 0;
  for (let k = 0; k < r.chunkCount; k++) {
    const chunk = r.getChunk(k);
    const m = chunk.rowCount;
    for (let j = 0; j < types.length; j++) {
      const v = chunk.getColumnVector(j);
      const dst = out[j]!;
      for (let x = 0; x < m; x++) dst[at + x] = Number(v.getItem(x) ?? 0);
    }
    at += m;
  }
  return out;
}

/** Held-out positives: (user, item) rewarded at or after `cutoff`, for users known before it. */
export async function readHoldout(c: DuckDBConnection, cutoff: number): Promise<Map<number, Set<number>>> {
  const [u, i] = await columns(
    c,
    `SELECT DISTINCT "user_idx", "item_idx" FROM "shown"
     WHERE "ts" >= $cutoff AND "reward" > 0 AND "user_idx" IN (SELECT "user_idx" FROM "shown" WHERE "ts" < $cutoff)`,
    { cutoff },
  );
  const out = new Map<number, Set<number>>();
  for (let k = 0; k < (u?.length ?? 0); k++) {
    const user = u![k] as number;
    let s = out.get(user);
    if (!s) out.set(user, (s = new Set()));
    s.add(i![k] as number);
  }
  return out;
}

/** Shown/rewarded counts per (item, position), split by whether the slot explored and by the rewarded slots above it. */
export interface ItemPositionRow {
  item: number;
  position: number;
  explored: boolean;
  shown: number;
  rewarded: number;
  reward: number;
  /** Rewarded slots above in the slate, capped at `MAX_ABOVE` (absent: 0). */
  above?: number;
}

/** Rewarded slots above a showing beyond which `ItemPositionRow.above` no longer distinguishes. */
export const MAX_ABOVE = 2;

/** @param before only rows with ts < before (the training split), or +∞ equivalent for all */
export async function readItemPositionStats(c: DuckDBConnection, before: number): Promise<ItemPositionRow[]> {
  const [item, position, explored, above, shown, rewarded, reward] = await columns(
    c,
    `SELECT "item_idx", "position", "explored", least("above", ${MAX_ABOVE})::INTEGER, count(*)::INTEGER, count(*) FILTER (WHERE "reward" > 0)::INTEGER, sum("reward")::DOUBLE
     FROM "shown" WHERE "ts" < $before GROUP BY ALL`,
    { before },
  );
  return (item ?? []).map((_, k) => ({
    item: item![k] as number,
    position: position![k] as number,
    explored: explored![k] as boolean,
    above: above![k] as number,
    shown: shown![k] as number,
    rewarded: rewarded![k] as number,
    reward: reward![k] as number,
  }));
}

/**
 * Showings per (logging version, rank, position) cell for `examinationCurve`, from the slates whose
 * strategy marks explored slots as pool draws (`exploredAsPoolDraw`): an exploited slot's rank is
 * its position minus the explored slots above it in its slate; an explored slot's rank is null
 * (the ranks `slateCells` counts from logged slates, here aggregated in DuckDB so the lake never
 * comes into memory slate by slate). Every slot of the slate counts (items outside the catalog too): the shifts are the slate's.
 * One pass gives both sets `examinationWeights` reads: every slot (`all`), and only the slots with
 * no rewarded slot above them in their slate (`clearAbove`: reading before any click; `stopFactors`
 * says how much a click above takes off) — `slateCells` without and with its `clearAbove`.
 * @param before only impressions with ts < before (the training split), or +∞ equivalent for all
 */
export async function readExaminationCells(c: DuckDBConnection, before: number): Promise<{ all: ExaminationCell[]; clearAbove: ExaminationCell[] }> {
  const [strategy, version, position, rank, shown, rewarded, clearShown, clearRewarded] = await columns(
    c,
    `SELECT "strategy_name", "version", "position", "rank", count(*)::INTEGER, count(*) FILTER (WHERE "reward" > 0)::INTEGER,
            count(*) FILTER (WHERE "above" = 0)::INTEGER, count(*) FILTER (WHERE "reward" > 0 AND "above" = 0)::INTEGER
     FROM (SELECT j.*,
                  CASE WHEN j."explored" THEN NULL ELSE j."position" - coalesce(sum(j."explored"::INTEGER) OVER w, 0) END::INTEGER AS "rank",
                  coalesce(sum((j."reward" > 0)::INTEGER) OVER w, 0) AS "above"
           FROM (SELECT s."impression_id", s."strategy_name", s."policy_version" AS "version", s.it."position" AS "position", s.it."explored" AS "explored", coalesce(r."reward", 0) AS "reward"
                 FROM (SELECT "impression_id", "strategy_name", "policy_version", unnest("items") AS it FROM "imp" WHERE "ts" < $before) s
                      LEFT JOIN ${ATTRIBUTED} r ON r."impression_id" = s."impression_id" AND r."item_id" = s.it."item_id") j
           WINDOW w AS (PARTITION BY j."impression_id" ORDER BY j."position" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))
     GROUP BY ALL`,
    { before },
  );
  const out = { all: [] as ExaminationCell[], clearAbove: [] as ExaminationCell[] };
  (position ?? []).forEach((_, k) => {
    if (!exploredAsPoolDraw({ name: strategy![k] })) return;
    const cell = { position: position![k] as number, rank: rank![k] === null ? null : (rank![k] as number), ...(version![k] === null ? {} : { version: String(version![k]) }) };
    out.all.push({ ...cell, shown: shown![k] as number, rewarded: rewarded![k] as number });
    if ((clearShown![k] as number) > 0) out.clearAbove.push({ ...cell, shown: clearShown![k] as number, rewarded: clearRewarded![k] as number });
  });
  return out;
}

/**
 * Every slate before `before`, slot by slot in position order, as the cascade fit reads it
 * (`cascadeExamination`): each slot's item row (−1 for an item outside the catalog: it still
 * shapes reading below it), its stratum (`stratumKey`: the logging version and the ranked list's
 * rank — position less the explored slots above, where the strategy marks them
 * (`exploredAsPoolDraw`) — or the pool), and whether it was rewarded.
 */
export async function readSlateSlots(c: DuckDBConnection, before: number): Promise<SlateSlots> {
  const [id, strategy, version, explored, item, rewarded] = await columns(
    c,
    `SELECT s."impression_id", s."strategy_name", s."policy_version", s.it."explored", i."item_idx", coalesce(r."reward", 0) > 0
     FROM (SELECT "impression_id", "strategy_name", "policy_version", unnest("items") AS it FROM "imp" WHERE "ts" < $before) s
          LEFT JOIN ${ATTRIBUTED} r ON r."impression_id" = s."impression_id" AND r."item_id" = s.it."item_id"
          LEFT JOIN "items" i ON i."item_id" = s.it."item_id"
     ORDER BY s."impression_id", s.it."position"`,
    { before },
  );
  const out: SlateSlots = { items: [], slots: [] };
  let slot: SlateSlots['slots'][number] = [];
  let items: number[] = [];
  (id ?? []).forEach((x, k) => {
    if (k === 0 || x !== id![k - 1]) {
      slot = [];
      items = [];
      out.slots.push(slot);
      out.items.push(items);
    }
    slot.push({ explored: exploredAsPoolDraw({ name: strategy![k] }) && explored![k] === true, clicked: rewarded![k] === true, version: version![k] === null ? undefined : String(version![k]) });
    items.push(item![k] === null ? -1 : (item![k] as number));
  });
  return out;
}

/** Logged slates slot by slot in position order (`readSlateSlots`). */
export interface SlateSlots {
  /** Item row per slot (−1: outside the catalog). */
  items: number[][];
  slots: Array<Array<{ explored: boolean; clicked: boolean; version?: string }>>;
}

/** @returns impressions seen per user row (the history length history-decayed strategies read) */
export async function readUserHistory(c: DuckDBConnection, users: number): Promise<Int32Array> {
  const [u, n] = await columns(c, `SELECT u."user_idx", count(*)::INTEGER FROM "imp" JOIN "users" u USING ("user_key") GROUP BY u."user_idx"`);
  const out = new Int32Array(users);
  for (let k = 0; k < (u?.length ?? 0); k++) out[u![k] as number] = n![k] as number;
  return out;
}

/**
 * Cumulative counts of the whole lake, the exactly-once ledger written into every manifest:
 * replaying any log object any number of times must leave them unchanged.
 */
export async function readLakeCounts(c: DuckDBConnection, lake: LakeFiles): Promise<Record<string, number>> {
  const counts: Record<string, number> = { impressions: 0, impression_items: 0, events: 0, clicks: 0, users: 0 };
  if (lake.impressions.length > 0) {
    const [[n, items, users]] = (await c.runAndReadAll(`SELECT count(*)::BIGINT, coalesce(sum(len("items")), 0)::BIGINT, count(DISTINCT "user_key")::BIGINT FROM read_parquet($f)`, { f: pathList(lake.impressions) })).getRowsJS() as [[bigint, bigint, bigint]];
    counts.impressions = Number(n);
    counts.impression_items = Number(items);
    counts.users = Number(users);
  }
  if (lake.events.length > 0) {
    const [[n, clicks]] = (await c.runAndReadAll(`SELECT count(*)::BIGINT, count(*) FILTER (WHERE "type" = 'click')::BIGINT FROM read_parquet($f)`, { f: pathList(lake.events) })).getRowsJS() as [[bigint, bigint]];
    counts.events = Number(n);
    counts.clicks = Number(clicks);
  }
  return counts;
}

/** Rewarded shown rows (after attribution) in the dataset. */
export async function readRewardedRows(c: DuckDBConnection): Promise<number> {
  return scalar(c, `SELECT count(*) FROM "shown" WHERE "reward" > 0`);
}

/** Slots shown per surface: all of them, and those since a time (the serving version's traffic). */
export async function readSurfaceSlots(c: DuckDBConnection, since: number): Promise<Record<string, { all: number; since: number }>> {
  const [surface, all, recent] = await columns(c, `SELECT "surface", count(*)::INTEGER, (count(*) FILTER (WHERE "ts" >= $since))::INTEGER FROM "shown" GROUP BY "surface" ORDER BY "surface"`, { since });
  return Object.fromEntries((surface ?? []).map((s, k) => [s as string, { all: all![k] as number, since: recent![k] as number }]));
}

/** Shown rows (user, item, position, rewarded or not) from a time on, for fitting on held-out data. */
export interface ShownRows {
  user: Int32Array;
  item: Int32Array;
  position: Int32Array;
  y: Float32Array;
}

/** Held-out showings whose impression logged recent items (`readRecentRows`). */
export interface RecentRows extends ShownRows {
  /** Per row, the impression's recent item ids (as logged, newest first). */
  recent: string[][];
}

/**
 * Showings from `from` on whose impression carried `recent_item_ids` — what the wasm step ranks
 * from — a reservoir sample of at most `limit`.
 */
export async function readRecentRows(c: DuckDBConnection, from: number, limit: number, seed: number): Promise<RecentRows> {
  const [u, i, p, y, r] = await columns(
    c,
    `WITH s AS (SELECT "impression_id", "user_key", "recent", unnest("items") AS it FROM "imp" WHERE "ts" >= $from AND len("recent") > 0)
     SELECT * FROM (
       SELECT u."user_idx", i."item_idx", s.it."position", (coalesce(a."reward", 0) > 0)::INTEGER, s."recent"
       FROM s JOIN "users" u USING ("user_key") JOIN "items" i ON i."item_id" = s.it."item_id"
              LEFT JOIN ${ATTRIBUTED} a ON a."impression_id" = s."impression_id" AND a."item_id" = s.it."item_id"
     ) USING SAMPLE reservoir(${Math.floor(limit)} ROWS) REPEATABLE (${Math.floor(seed)})`,
    { from },
  );
  return { ...shownRowsOf(u, i, p, y), recent: ((r ?? []) as string[][]).map((x) => [...x]) };
}

/** Typed columns of shown rows from DuckDB's (user, item, position, clicked) columns. */
function shownRowsOf(u: unknown[] | undefined, i: unknown[] | undefined, p: unknown[] | undefined, y: unknown[] | undefined): ShownRows {
  return {
    user: Int32Array.from((u ?? []) as number[]),
    item: Int32Array.from((i ?? []) as number[]),
    position: Int32Array.from((p ?? []) as number[]),
    y: Float32Array.from((y ?? []) as number[]),
  };
}

/**
 * @param from rows with ts ≥ from (the holdout)
 * @param limit at most this many rows, a seeded uniform sample when there are more
 */
export async function readShownRows(c: DuckDBConnection, from: number, limit: number, seed: number): Promise<ShownRows> {
  const [u, i, p, y] = await columns(
    c,
    `SELECT "user_idx", "item_idx", "position", ("reward" > 0)::INTEGER FROM (SELECT * FROM "shown" WHERE "ts" >= $from) USING SAMPLE reservoir(${Math.floor(limit)} ROWS) REPEATABLE (${Math.floor(seed)})`,
    { from },
  );
  return shownRowsOf(u, i, p, y);
}
