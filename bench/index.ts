/**
 * `npm run bench`: every benchmark in one run, each figure against a reference measured beside it
 * (absolute times on a shared machine drift; ratios in one run are what to read). Prints a table
 * and writes bench/results.json (machine, versions, date, every figure). Never fails on a time.
 *   --only edge,scorer,batch,ope   run a subset
 *   --quick                        shorter runs (smoke)
 */
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { runBatchBench } from './batch.js';
import { runEdgeBench } from './edge.js';
import { runOpeBench } from './ope.js';
import { runScorerBench } from './scorer.js';

const { values } = parseArgs({ options: { only: { type: 'string' }, quick: { type: 'boolean' } } });
const only = new Set((values.only ?? 'edge,scorer,batch,ope').split(','));
const quick = values.quick === true;
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const deps = { ...pkg.dependencies, ...pkg.devDependencies };

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version },
  versions: { wrangler: deps.wrangler, miniflare: deps.miniflare, hono: deps.hono, duckdb: deps['@duckdb/node-api'], tfjs: deps['@tensorflow/tfjs-core'] },
  commit: (() => {
    try {
      return execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  })(),
};
const rows: string[][] = [];
const row = (area: string, figure: string, value: string, reference: string, ratio: string, goal = '') => rows.push([area, figure, value, reference, ratio, goal]);
const RESULTS = new URL('./results.json', import.meta.url);
// With --only, the other parts keep the figures of their last run (each says when it ran).
const previous = values.only && existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>) : {};

if (only.has('edge')) {
  process.stderr.write('bench: edge (Miniflare, closed-loop load)…\n');
  const e = await runEdgeBench(quick ? { seconds: 2, trials: 3 } : {});
  results.edge = e;
  const range = (xs: number[]) => ` (trials ${xs[0]!.toFixed(2)}–${xs.at(-1)!.toFixed(2)})`;
  row('edge', `GET /v1/slate cache, ${e.connections} conns`, `${e.slate_cache.rps.toFixed(0)} req/s p50 ${e.slate_cache.p50_ms.toFixed(1)} p99 ${e.slate_cache.p99_ms.toFixed(1)} ms`, `/ping ${e.trivial.rps.toFixed(0)} req/s`, e.cache_vs_trivial.toFixed(2) + range(e.trial_ratios.cache), '≥ 0.85');
  row('edge', 'GET /v1/slate popularity', `${e.slate_popularity.rps.toFixed(0)} req/s p99 ${e.slate_popularity.p99_ms.toFixed(1)} ms`, `/ping ${e.trivial.rps.toFixed(0)} req/s`, e.popularity_vs_trivial.toFixed(2) + range(e.trial_ratios.popularity));
  row('edge', 'POST /v1/slate wasm path', `${e.slate_wasm.rps.toFixed(0)} req/s p99 ${e.slate_wasm.p99_ms.toFixed(1)} ms`, `/ping ${e.trivial.rps.toFixed(0)} req/s`, e.wasm_vs_trivial.toFixed(2) + range(e.trial_ratios.wasm));
  if (e.server_cpu_us) {
    const c = e.server_cpu_us;
    row('edge', 'workerd CPU per request, cache path', `${c.cache.toFixed(0)} µs`, `/ping ${c.trivial.toFixed(0)} µs`, e.cache_vs_trivial_cpu!.toFixed(2));
  }
}

if (only.has('scorer')) {
  process.stderr.write('bench: wasm scorer (Node and workerd)…\n');
  const s = await runScorerBench({ out: null, print: false });
  results.scorer = s;
  for (const rt of s.runtimes) {
    for (const sh of rt.shapes) {
      row(`scorer ${rt.runtime}`, sh.name, `${sh.wasm.best_batch_ms_per_query.toFixed(2)} ms/q, ${sh.wasm.gb_per_s.toFixed(1)} GB/s`, `TS ${sh.ts.best_batch_ms_per_query.toFixed(1)} ms/q`, `${sh.speedup_vs_ts.toFixed(1)}×`, '≥ 8×');
      row(`scorer ${rt.runtime}`, `${sh.name} vs memory read`, `${sh.wasm.gb_per_s.toFixed(1)} GB/s`, `${rt.mem_read_gb_per_s.toFixed(1)} GB/s`, sh.fraction_of_mem_read.toFixed(2), sh.name.startsWith('1M') ? '≥ 0.6, < 5 ms' : '≥ 0.6');
    }
  }
}

if (only.has('batch')) {
  process.stderr.write('bench: batch tier (DuckDB, tfjs, full runs)…\n');
  const b = await runBatchBench({ quick });
  results.batch = b;
  for (const r of b.rows) row('batch', r.figure, r.value, r.reference, r.ratio, r.goal ?? '');
}

if (only.has('ope')) {
  process.stderr.write('bench: off-policy estimators…\n');
  const o = runOpeBench(quick ? { impressions: 100_000 } : {});
  results.ope = o;
  for (const e of o.estimators) row('ope', `${e.name}, ${o.impressions / 1e6}M impressions × ${o.positions}`, `${(e.impressions_per_s / 1e6).toFixed(2)} M impressions/s`, `bare pass ${(o.bare_pass_s * 1000).toFixed(0)} ms`, `${e.vs_bare_pass.toFixed(1)}× bare`);
}

const head = ['area', 'figure', 'measured', 'reference (same run)', 'ratio', 'goal'];
const sections = ['edge', 'scorer', 'batch', 'ope'];
for (const sec of sections) {
  if (only.has(sec) || !(sec in previous)) continue;
  results[sec] = previous[sec];
  const old = (previous.table as Array<Record<string, string>> | undefined) ?? [];
  for (const r of old) if (r.area === sec || r.area?.startsWith(`${sec} `)) rows.push([r.area!, r.figure!, r.measured!, r['reference (same run)']!, r.ratio!, r.goal ?? '']);
}
for (const sec of sections) {
  if (only.has(sec)) results[`${sec}_measured_at`] = results.date;
  else if (previous[`${sec}_measured_at`]) results[`${sec}_measured_at`] = previous[`${sec}_measured_at`];
}
rows.sort((a, b) => sections.indexOf(a[0]!.split(' ')[0]!) - sections.indexOf(b[0]!.split(' ')[0]!));
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const fmt = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
process.stdout.write([fmt(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(fmt)].join('\n') + '\n');
results.table = rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
writeFileSync(RESULTS, JSON.stringify(results, null, 2));
process.stderr.write('bench: wrote bench/results.json\n');
