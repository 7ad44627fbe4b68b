/**
 * DuckDB column types of the NDJSON log records, given explicitly to `read_json` so a batch with
 * an unusual first line cannot change the inferred schema. They mirror `ImpressionRecord` and
 * `EventRecord` in shared/schemas; `strategy` and `context` stay JSON for OPE to read later.
 * These are constant SQL (no data), which is why they may be spliced into query text.
 */
export const IMPRESSION_COLUMNS = `{
  schema: 'VARCHAR', impression_id: 'VARCHAR', ts: 'BIGINT', user_key: 'VARCHAR', surface: 'VARCHAR',
  policy_version: 'VARCHAR', strategy: 'JSON', propensity_type: 'VARCHAR', source: 'VARCHAR', k: 'INTEGER',
  items: 'STRUCT(item_id VARCHAR, position INTEGER, score DOUBLE, propensity DOUBLE, explored BOOLEAN)[]',
  slate_propensity: 'DOUBLE', context: 'JSON'
}`;

export const EVENT_COLUMNS = `{
  schema: 'VARCHAR', event_id: 'VARCHAR', impression_id: 'VARCHAR', user_key: 'VARCHAR', item_id: 'VARCHAR',
  position: 'INTEGER', type: 'VARCHAR', value: 'DOUBLE', ts: 'BIGINT', received_at: 'BIGINT', policy_version: 'VARCHAR'
}`;

/** Per kind: its columns, its id (the dedupe key) and the time that orders duplicates. */
export const LOG_TABLES = {
  impressions: { columns: IMPRESSION_COLUMNS, id: 'impression_id', order: 'ts' },
  events: { columns: EVENT_COLUMNS, id: 'event_id', order: 'received_at' },
} as const;

/** The two kinds of log records, each a prefix under `logs/` and a table in the lake. */
export type LogKind = keyof typeof LOG_TABLES;
