import { DuckDBInstance, listValue, type DuckDBConnection, type DuckDBListValue, type DuckDBValue } from '@duckdb/node-api';

/**
 * Opens an in-memory DuckDB, hands a connection to `fn`, and closes both in `finally` whatever
 * happens. One database per run: nothing is kept between runs except Parquet files.
 * @param opts.threads DuckDB worker threads (default: DuckDB's choice, all cores)
 * @param opts.tempDir where DuckDB may spill when a join outgrows memory
 */
export async function withDuck<T>(fn: (c: DuckDBConnection) => Promise<T>, opts: { threads?: number; tempDir?: string } = {}): Promise<T> {
  const settings: Record<string, string> = { preserve_insertion_order: 'false' };
  if (opts.threads) settings.threads = String(opts.threads);
  if (opts.tempDir) settings.temp_directory = opts.tempDir;
  const db = await DuckDBInstance.create(':memory:', settings);
  try {
    const c = await db.connect();
    try {
      await c.run(`SET TimeZone = 'UTC'`);
      return await fn(c);
    } finally {
      c.closeSync();
    }
  } finally {
    db.closeSync();
  }
}

/** A list of file paths as one bound parameter (`read_json($files)`): paths never enter SQL text. */
export function pathList(paths: readonly string[]): DuckDBListValue {
  return listValue([...paths]);
}

/** @returns the first column of the first row as a number (counts, sums). */
export async function scalar(c: DuckDBConnection, sql: string, params: Record<string, DuckDBValue> = {}): Promise<number> {
  const r = await c.runAndReadAll(sql, params);
  const v = r.getRowsJS()[0]?.[0];
  return v === null || v === undefined ? 0 : Number(v);
}

/**
 * A SQL identifier, double-quoted (embedded quotes doubled), so a column name is never read as a
 * keyword: DuckDB 1.5 reserves `at`, and an unquoted `at BIGINT` in a table declaration is a
 * parser error.
 * @example ident('at') === '"at"'
 */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
