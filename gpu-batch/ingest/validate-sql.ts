import type { DuckDBConnection } from '@duckdb/node-api';
import { pathList } from '../lake/duck.js';
import type { LogKind } from '../lake/columns.js';

/**
 * The bulk form of `checkLogObject`: DuckDB parses every downloaded object of a kind in one
 * multi-threaded pass (≈ 30× faster than JSON.parse + zod per line in JS) and evaluates the
 * record schemas of shared/schemas as SQL predicates, grouped per file.
 *
 * It is a filter in front of the zod checker, not a replacement: a file DuckDB cannot read, or
 * with any row failing a predicate, is re-checked line by line with zod, which gives the reason
 * (and has the last word: if zod accepts what a predicate flagged, the file is kept). The
 * predicates are at least as strict as the zod schemas on values (literals, enums, ranges, id
 * formats, required fields); what DuckDB's typed reader relaxes is JSON types of scalars — a
 * number given as a numeric string, or a fraction where an integer is due, is cast rather than
 * refused (such a record is still complete and lands in the lake typed). A missing `value` of an
 * event reads as null.
 */

/** Columns for validation: the lake columns plus the optional schema fields, JSON where shape matters. */
const IMPRESSION_CHECK_COLUMNS = `{
  schema: 'VARCHAR', impression_id: 'VARCHAR', ts: 'BIGINT', user_key: 'VARCHAR', surface: 'VARCHAR',
  policy_version: 'VARCHAR', strategy: 'JSON', propensity_type: 'VARCHAR', propensity_method: 'VARCHAR',
  replays: 'DOUBLE', effective_params: 'JSON', source: 'VARCHAR', k: 'DOUBLE',
  items: 'STRUCT(item_id VARCHAR, position DOUBLE, score DOUBLE, propensity DOUBLE, explored BOOLEAN, propensity_se DOUBLE)[]',
  slate_propensity: 'DOUBLE', context: 'JSON'
}`;

const EVENT_CHECK_COLUMNS = `{
  schema: 'VARCHAR', event_id: 'VARCHAR', impression_id: 'VARCHAR', user_key: 'VARCHAR', item_id: 'VARCHAR',
  position: 'DOUBLE', type: 'VARCHAR', value: 'DOUBLE', ts: 'DOUBLE', received_at: 'DOUBLE', policy_version: 'VARCHAR'
}`;

const ITEM_ID = (x: string) => `(length(${x}) BETWEEN 1 AND 128 AND NOT regexp_matches(${x}, '[\\x00-\\x1f\\x7f]'))`;
const USER_KEY = (x: string) => `regexp_full_match(${x}, '[0-9a-f]{32}')`;
const NAT = (x: string) => `(${x} >= 0 AND ${x} = floor(${x}))`;
const ID_LIST = (json: string, path: string) =>
  `(json_type(${json}, '${path}') = 'ARRAY' AND coalesce(list_bool_and(list_transform(json_type(${json}, '${path}[*]'), t -> t = 'VARCHAR')), true)
    AND coalesce(list_bool_and(list_transform(json_extract_string(${json}, '${path}[*]'), s -> ${ITEM_ID('s')})), true))`;

const IMPRESSION_VALID = `(
  schema = 'impression/v1' AND impression_id IS NOT NULL AND ts >= 0 AND ${USER_KEY('user_key')}
  AND length(surface) BETWEEN 1 AND 64 AND regexp_full_match(surface, '[a-z0-9][a-z0-9_-]*')
  AND policy_version IS NOT NULL AND json_type(strategy) = 'OBJECT' AND propensity_type = 'marginal_position'
  AND (propensity_method IS NULL OR propensity_method IN ('exact', 'monte_carlo'))
  AND (replays IS NULL OR (replays > 0 AND replays = floor(replays))) AND effective_params IS NULL
  AND source IN ('cache', 'wasm', 'popularity') AND k >= 1 AND k = floor(k)
  AND items IS NOT NULL AND coalesce(list_bool_and(list_transform(items, it -> it IS NOT NULL AND ${ITEM_ID('it.item_id')} AND ${NAT('it.position')}
      AND it.propensity > 0 AND it.propensity <= 1 AND it.explored IS NOT NULL AND (it.propensity_se IS NULL OR it.propensity_se >= 0))), true)
  AND slate_propensity > 0 AND slate_propensity <= 1
  AND json_type(context) = 'OBJECT' AND ${ID_LIST('context', '$.recent_item_ids')} AND ${ID_LIST('context', '$.exclude_item_ids')}
  AND json_type(context, '$.locale') IN ('VARCHAR', 'NULL')
)`;

const EVENT_VALID = `(
  schema = 'event/v1' AND event_id IS NOT NULL AND impression_id IS NOT NULL AND ${USER_KEY('user_key')} AND ${ITEM_ID('item_id')}
  AND ${NAT('position')} AND type IN ('click', 'purchase', 'dwell', 'add_to_cart', 'dismiss')
  AND ${NAT('ts')} AND ${NAT('received_at')} AND policy_version IS NOT NULL
)`;

const CHECKS = {
  impressions: { columns: IMPRESSION_CHECK_COLUMNS, valid: IMPRESSION_VALID },
  events: { columns: EVENT_CHECK_COLUMNS, valid: EVENT_VALID },
} as const;

/** Per file: records read and how many failed a predicate; or the error that stopped DuckDB. */
export type SqlCheck = { records: number; flagged: number } | { error: string };

async function checkBatch(c: DuckDBConnection, kind: LogKind, files: readonly string[]): Promise<Map<string, { records: number; flagged: number }>> {
  const k = CHECKS[kind];
  const r = await c.runAndReadAll(
    `SELECT filename, count(*)::BIGINT, count(*) FILTER (WHERE NOT coalesce(${k.valid}, false))::BIGINT
     FROM read_json($files, format = 'newline_delimited', columns = ${k.columns}, filename = true)
     GROUP BY filename`,
    { files: pathList(files) },
  );
  const out = new Map<string, { records: number; flagged: number }>();
  for (const [f, n, bad] of r.getRowsJS() as Array<[string, bigint, bigint]>) out.set(f, { records: Number(n), flagged: Number(bad) });
  return out;
}

/**
 * Checks `files` (local NDJSON of one kind) in one DuckDB pass; when DuckDB fails on the batch,
 * splits it in halves until the unreadable files are isolated (a bad object costs a few extra
 * passes, the good ones are never read line by line in JS).
 * @returns one entry per file, in the order given
 */
export async function sqlCheckFiles(c: DuckDBConnection, kind: LogKind, files: readonly string[]): Promise<SqlCheck[]> {
  const out = new Map<string, SqlCheck>();
  const visit = async (batch: readonly string[]): Promise<void> => {
    if (batch.length === 0) return;
    try {
      const got = await checkBatch(c, kind, batch);
      for (const f of batch) out.set(f, got.get(f) ?? { records: 0, flagged: 0 });
    } catch (e) {
      if (batch.length === 1) {
        out.set(batch[0]!, { error: (e as Error).message.split('\n')[0]!.replace(/ in file "[^"]*"/, '') });
        return;
      }
      const mid = batch.length >> 1;
      await visit(batch.slice(0, mid));
      await visit(batch.slice(mid));
    }
  };
  await visit(files);
  return files.map((f) => out.get(f)!);
}
