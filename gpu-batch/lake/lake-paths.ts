import type { LogKind } from './columns.js';

/** Store prefix of the deduplicated Parquet lake of one kind: `lake/<kind>/dt=…/part-….parquet`. */
export function lakePrefix(kind: LogKind): string {
  return `lake/${kind}/`;
}

/** Run ids become file names; keep them to a safe alphabet. */
export function checkRunId(runId: string): string {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(runId)) throw new RangeError(`run id must be [A-Za-z0-9_-]{1,80}, got ${JSON.stringify(runId)}`);
  return runId;
}
