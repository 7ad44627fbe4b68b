/**
 * `npm run bench:gate -- DIR`: how well the deploy gate's estimate tracks the truth, replayed on
 * world runs kept with `npm run worlds -- --keep --out DIR`.
 *
 * For every round whose candidate the gate evaluated and published, it reads the lake the batch
 * run had and both versions from the kept bucket, recomputes Δ̂ = V̂(candidate) − V̂(serving) with
 * the gate's own `compareVersions` (today's code), and sets it beside the true difference the
 * world measured on the same round's visits (`gate.true_candidate − gate.true_serving_before`).
 * `--unmarked` drops the logs' explored marks first: the reward model then takes the mean reward
 * per position as θ (the estimator before the explored-slot curve), on the same data.
 *
 * Prints a line per gate run and a summary over rounds ≥ 2 whose true change is under +100%
 * (round 1 replaces the content-only bootstrap: a many-fold change any estimator gets right):
 * error ÷ the serving value (mean, mean absolute), Δ̂ ÷ Δ (median, quartiles), sign agreement,
 * interval coverage. Writes DIR/gate-replay.json.
 *
 *   npm run bench:gate -- worlds-out [--unmarked]
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readManifest } from '../shared/artifact/verify.js';
import { loadConfig } from '../gpu-batch/config/config.js';
import { withDuck } from '../gpu-batch/lake/duck.js';
import { compareVersions } from '../gpu-batch/ope/ope-gate.js';
import { readLakeSlates, type LoggedImpression } from '../gpu-batch/ope/lake-slates.js';
import { VersionTarget } from '../gpu-batch/ope/policy-view.js';
import { S3Store } from '../gpu-batch/store/s3-store.js';
import { startS3Server } from '../local/s3-server.js';
import type { WorldRun } from '../worlds/run-world.js';

const { values, positionals } = parseArgs({ options: { unmarked: { type: 'boolean' } }, allowPositionals: true });
if (positionals.length !== 1) {
  process.stderr.write('usage: npm run bench:gate -- DIR [--unmarked]   (DIR from `npm run worlds -- --keep --out DIR`)\n');
  process.exit(2);
}
const out = positionals[0]!;
const config = loadConfig({});

interface Row {
  family: string;
  seed: string;
  round: number;
  true_delta: number;
  true_serving: number;
  recorded: number | null;
  delta_hat: number;
  ci: [number, number];
  ess: number;
}
const rows: Row[] = [];

for (const fam of (await readdir(out, { withFileTypes: true })).filter((d) => d.isDirectory())) {
  const famDir = join(out, fam.name);
  for (const world of (await readdir(famDir)).filter((f) => f.endsWith('.world')).sort()) {
    const seed = world.slice(0, -'.world'.length);
    const run = JSON.parse(await readFile(join(famDir, `${seed}.json`), 'utf8')) as WorldRun;
    rows.push(...(await replayWorld(fam.name, seed, run, join(famDir, world))));
  }
}
if (rows.length === 0) {
  process.stderr.write(`bench:gate: no kept world runs under ${out} (run \`npm run worlds -- --keep --out ${out}\` first)\n`);
  process.exit(2);
}
const summary = summarise(rows.filter((r) => r.round >= 2 && r.true_delta / r.true_serving < 1));
console.log(`\n${values.unmarked ? 'without explored marks (θ = mean reward per position)' : 'as the gate runs today'}: ${summary.runs} gate runs (rounds ≥ 2, true change < +100%)`);
console.log(`  error ÷ serving value: mean ${fmt(summary.error_mean)}, mean absolute ${summary.error_mae.toFixed(3)}`);
console.log(`  Δ̂ ÷ Δ: median ${summary.ratio_median.toFixed(2)} (quartiles ${summary.ratio_q1.toFixed(2)}–${summary.ratio_q3.toFixed(2)})`);
console.log(`  sign right ${summary.sign}/${summary.runs}; interval covers the true Δ ${summary.covered}/${summary.runs}`);
await writeFile(join(out, `gate-replay${values.unmarked ? '-unmarked' : ''}.json`), `${JSON.stringify({ generated_at: new Date().toISOString(), unmarked: values.unmarked === true, summary, rows }, null, 2)}\n`);
console.log(`wrote ${join(out, `gate-replay${values.unmarked ? '-unmarked' : ''}.json`)}`);

/** Every evaluated, published gate run of one kept world, recomputed. */
async function replayWorld(family: string, seed: string, run: WorldRun, dir: string): Promise<Row[]> {
  const s3 = await startS3Server('slatecast', { directory: join(dir, 's3') });
  const store = S3Store.fromConfig({ endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  const found: Row[] = [];
  try {
    const parts = await lakeFiles(join(dir, 'batch/lake/impressions'));
    const events = await lakeFiles(join(dir, 'batch/lake/events'));
    await withDuck(async (c) => {
      // Each run appends one part: a gate saw the parts up to its run's, as many impressions as
      // its manifest counts.
      const sizes: number[] = [];
      for (const p of parts) sizes.push(Number((await c.runAndReadAll(`SELECT count(*) FROM read_parquet($p)`, { p })).getRowsJS()[0]![0]));
      for (const r of run.rounds) {
        const g = r.gate;
        if (!g?.evaluated || g.true_serving_before === null || g.true_candidate === null || r.round === 0) continue;
        const cand = await readManifest(store, r.version, null).catch(() => null);
        const verdict = cand?.gate as { candidate_version?: string; serving_version?: string } | null | undefined;
        if (!cand || verdict?.candidate_version !== r.version || !verdict.serving_version) continue;
        const serving = await readManifest(store, verdict.serving_version, null);
        const use: string[] = [];
        for (let j = 0, n = 0; j < parts.length && n < (cand.counts.impressions ?? Infinity); j++) {
          n += sizes[j]!;
          use.push(parts[j]!);
        }
        let logs = await readLakeSlates(c, { impressions: use, events }, { limit: config.gate.maxImpressions, rewards: config.rewards, attributionWindowMs: config.attributionWindowMs });
        if (values.unmarked) logs = logs.map(unmark);
        const d = (await compareVersions(logs, await VersionTarget.fromStore(store, cand), await VersionTarget.fromStore(store, serving))).difference;
        const row: Row = { family, seed, round: r.round, true_delta: g.true_candidate - g.true_serving_before, true_serving: g.true_serving_before, recorded: g.delta_hat, delta_hat: d.estimate, ci: d.ci, ess: d.ess ?? 0 };
        found.push(row);
        console.log(`${seed} round ${r.round}: true Δ ${fmt(row.true_delta)} (${fmt((100 * row.true_delta) / row.true_serving, 1)}%), Δ̂ ${fmt(d.estimate)} [${d.ci.map((x) => fmt(x)).join(', ')}]`);
      }
    });
  } finally {
    await s3.stop();
  }
  return found;
}

async function lakeFiles(dir: string): Promise<string[]> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.parquet'));
  // Part names carry the run id, which starts with its UTC time: name order is run order.
  return files.sort((a, b) => a.split('/').at(-1)!.localeCompare(b.split('/').at(-1)!)).map((f) => join(dir, f));
}

function unmark(imp: LoggedImpression): LoggedImpression {
  return { ...imp, slate: { ...imp.slate, items: imp.slate.items.map(({ explored: _, ...it }) => it) } };
}

function summarise(rs: readonly Row[]) {
  const err = rs.map((r) => (r.delta_hat - r.true_delta) / r.true_serving);
  const ratio = rs.filter((r) => r.true_delta !== 0).map((r) => r.delta_hat / r.true_delta).sort((a, b) => a - b);
  const q = (p: number) => ratio[Math.min(ratio.length - 1, Math.floor(p * (ratio.length - 1)))] ?? NaN;
  return {
    runs: rs.length,
    error_mean: mean(err),
    error_mae: mean(err.map(Math.abs)),
    ratio_median: q(0.5),
    ratio_q1: q(0.25),
    ratio_q3: q(0.75),
    sign: rs.filter((r) => r.delta_hat > 0 === r.true_delta > 0).length,
    covered: rs.filter((r) => r.ci[0] <= r.true_delta && r.true_delta <= r.ci[1]).length,
  };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

function fmt(x: number, digits = 3): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
}
