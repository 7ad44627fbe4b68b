import { benchBatch } from './batch-run.js';

export interface BatchBenchRow {
  figure: string;
  value: string;
  reference: string;
  ratio: string;
  goal?: string;
}

/**
 * The batch tier at 100k and 1M synthetic impressions (in-memory store, wasm backend): ingest
 * throughput against a bare DuckDB count over the same NDJSON, training samples/s per backend,
 * and the wall time of a full `batch run` and how it grows from 100k to 1M.
 */
export async function runBatchBench(opts: { quick?: boolean } = {}): Promise<{ runs: Record<string, unknown>[]; rows: BatchBenchRow[] }> {
  const sizes = opts.quick ? [20_000, 100_000] : [100_000, 1_000_000];
  const runs: Record<string, unknown>[] = [];
  for (const impressions of sizes) runs.push(await benchBatch({ impressions, backends: ['wasm', 'cpu'] }));
  const rows: BatchBenchRow[] = [];
  const wall = (r: Record<string, unknown>) => (r.batch_run as { wall_s: number }).wall_s;
  for (const r of runs) {
    const n = `${Number(r.impressions) / 1e3}k impressions`;
    rows.push({ figure: `ingest + join, ${n}`, value: `${fmt(Number(r.ingest_records_per_s))} records/s`, reference: `DuckDB count(*) ${fmt(Number(r.duckdb_count_impressions_per_s))}/s`, ratio: (Number(r.ingest_records_per_s) / Number(r.duckdb_count_impressions_per_s)).toFixed(2) });
    const t = r.training_samples_per_s as Record<string, number | string>;
    if (typeof t.wasm === 'number' && typeof t.cpu === 'number') rows.push({ figure: `training samples/s (${n})`, value: `wasm ${fmt(t.wasm)}/s`, reference: `cpu ${fmt(t.cpu)}/s`, ratio: `${(t.wasm / t.cpu).toFixed(1)}×` });
    const g = (r.batch_run as { gate: { ran: boolean; publish?: boolean; evaluated?: boolean | null; reason?: string } }).gate;
    rows.push({ figure: `deploy gate, ${n}`, value: g.ran ? `${g.publish ? 'pass' : 'reject'}${g.evaluated === false ? ' (not evaluated)' : ''}` : 'off', reference: g.reason ?? 'config.gate.enabled = false', ratio: '' });
    rows.push({ figure: `batch run wall time, ${n}`, value: `${wall(r).toFixed(1)} s`, reference: `${n}`, ratio: `${((Number(r.impressions) / wall(r)) / 1e3).toFixed(1)}k imp/s`, goal: Number(r.impressions) >= 1e6 ? '≤ 60 s' : '' });
  }
  if (runs.length === 2) {
    const growth = wall(runs[1]!) / wall(runs[0]!);
    const size = Number(runs[1]!.impressions) / Number(runs[0]!.impressions);
    rows.push({ figure: 'batch run growth', value: `${growth.toFixed(1)}× time`, reference: `${size.toFixed(0)}× data`, ratio: `${(growth / size).toFixed(2)} (1 = linear)` });
  }
  return { runs, rows };
}

function fmt(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(0)}k` : x.toFixed(0);
}
