/**
 * `npm run worlds`: the world suite. Runs families of simulated worlds through the whole
 * deployment (embedded S3, the worker in workerd, traffic over HTTP, `slatecast batch run` with
 * its deploy gate) for several seeds, computes the baselines on the same visits, and writes
 * worlds-out/<family>/<seed>.json, worlds-out/<family>/summary.json and worlds-out/report.html.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cliErrors } from './cli-args.js';
import { parseCli } from '../gpu-batch/cli/parse-cli.js';
import { streamProgress, type Progress } from '../gpu-batch/util/progress.js';
import { batchArgv } from './batch-round.js';
import { FAMILIES, FAMILY_NAMES, withOverrides, type FamilyName } from './families.js';
import { PLANT_KINDS, type PlantKind } from './plant.js';
import { renderWorldsReport } from './report.js';
import { runWorld, type WorldRun } from './run-world.js';
import type { WorldParams } from './sim/world.js';
import { summarise, type FamilySummary } from './summary.js';
import { roundLine, summaryTable } from './table.js';

const USAGE = `usage: npm run worlds -- [--family NAME[,NAME…]|all] [--seeds N] [--first-seed N] [--rounds N] [--set key=value]…
                         [--no-gate] [--epsilon X] [--batch="FLAGS"] [--recent N] [--plant R[,R…]|none] [--plant-kind K] [--batch-log] [--keep] [--quick] [--out DIR]
  --family      ${FAMILY_NAMES.join(', ')} or all (default all)
  --seeds       seeds per family (default 3); seed i of a family is "<family>-<i>"
  --first-seed  first seed number (default 1): other numbers give unseen worlds of the same family
  --rounds      rounds after the bootstrap round 0 (default 5)
  --set         override a world parameter, e.g. --set items=2000 --set quality.exponent=1 --set click=pbm
  --no-gate     run \`slatecast batch run --no-gate\` (the deploy gate is on by default, as in a deployment)
  --epsilon X   exploration pinned at X: \`batch run --epsilon-min X --epsilon-max X --epsilon-bootstrap X\`
                (X = 0: \`--no-explore\`)
  --recent N    the site sends each user's N most recent clicks as context.recent_item_ids (default 5; 0: none)
  --batch       more \`slatecast batch run\` flags, space-separated (e.g. --batch="--gate-tolerance 0.02": with "=", as the value starts with a dash)
  --plant       rounds in which the gate is also offered a worst-first copy of the candidate, never
                published (default 3; "none" for no planting)
  --plant-kind  worst-first (default: every ranking replaced by the items the candidate ranks last) or
                reversed (the first k items of every ranking in reverse order: mildly worse)
  --batch-log   print the batch tier's progress lines too (holdout metrics, blend, gate), each prefixed with its seed
  --keep        keep each seed's bucket and lake in <out>/<family>/<seed>.world (for \`npm run bench:gate\`)
  --quick       smoke run: 2 rounds, 1 seed, a fifth of the users (other flags still apply)
  --concurrency simultaneous visits in flight (default 16)
  --out         output folder (default worlds-out)
  --report      run nothing: summarise the seed files already in the output folder and rewrite the report`;

const { fail, int, parse } = cliErrors('worlds', USAGE);

/** A fifth of the users (new ones too), for a smoke run. */
function quickParams(p: WorldParams): WorldParams {
  return { ...p, users: Math.max(20, Math.round(p.users / 5)), newUsersPerRound: Math.round(p.newUsersPerRound / 5) };
}

async function main(): Promise<void> {
  const values = parse(process.argv.slice(2), {
    family: { type: 'string' },
    seeds: { type: 'string' },
    'first-seed': { type: 'string' },
    rounds: { type: 'string' },
    set: { type: 'string', multiple: true },
    'no-gate': { type: 'boolean' },
    epsilon: { type: 'string' },
    batch: { type: 'string' },
    recent: { type: 'string' },
    plant: { type: 'string' },
    'plant-kind': { type: 'string' },
    quick: { type: 'boolean' },
    'batch-log': { type: 'boolean' },
    keep: { type: 'boolean' },
    concurrency: { type: 'string' },
    out: { type: 'string' },
    report: { type: 'boolean' },
  });
  const families = !values.family || values.family === 'all' ? FAMILY_NAMES : (values.family.split(',') as FamilyName[]);
  for (const f of families) if (!(f in FAMILIES)) fail(`--family: unknown family "${f}"`);
  const quick = values.quick === true;
  const rounds = int(values.rounds, 'rounds', quick ? 2 : 5, 1, 50);
  const seeds = int(values.seeds, 'seeds', quick ? 1 : 3, 1, 100);
  const firstSeed = int(values['first-seed'], 'first-seed', 1, 0, 1e9);
  if (values.epsilon !== undefined && !(Number(values.epsilon) >= 0 && Number(values.epsilon) <= 1)) fail(`--epsilon must be a number in [0, 1], got "${values.epsilon}"`);
  // One exploration rate for every version (the bootstrap's too), or none: as the demo pins it.
  const eps = values.epsilon === undefined ? [] : Number(values.epsilon) === 0 ? ['--no-explore'] : ['--epsilon-min', values.epsilon, '--epsilon-max', values.epsilon, '--epsilon-bootstrap', values.epsilon];
  const batchFlags = [...eps, ...(values.batch ?? '').split(/\s+/).filter(Boolean)];
  const plant = values.plant === 'none' ? [] : (values.plant ?? '3').split(',').map((r) => int(r, 'plant', 0, 1, 50));
  const plantKind = (values['plant-kind'] ?? 'worst-first') as PlantKind;
  if (!PLANT_KINDS.includes(plantKind)) fail(`--plant-kind must be one of ${PLANT_KINDS.join(', ')}, got "${plantKind}"`);
  const concurrency = int(values.concurrency, 'concurrency', 16, 1, 256);
  const recentItems = int(values.recent, 'recent', 5, 0, 100);
  const out = resolve(values.out ?? 'worlds-out');
  const paramsOf = (f: FamilyName, seed: number): WorldParams => {
    try {
      const p = withOverrides({ ...FAMILIES[f], seed: `${FAMILIES[f].seed}-${seed}` }, values.set ?? []);
      return quick ? quickParams(p) : p;
    } catch (e) {
      return fail((e as Error).message);
    }
  };
  for (const f of families) paramsOf(f, firstSeed);
  try {
    parseCli(batchArgv({ workDir: out, seed: 'check', gate: values['no-gate'] !== true, flags: batchFlags }));
  } catch (e) {
    fail(`\`slatecast batch run\` refuses the flags passed through (${batchFlags.join(' ') || 'none'}): ${(e as Error).message.split('\n')[0]}`);
  }

  const stream = streamProgress();
  // Bars redraw in place on a terminal; in a log file they would add ten lines a round.
  const log: Progress = { ...stream, bar: process.stderr.isTTY ? stream.bar : () => {} };
  const failed: string[] = [];
  const command = `npm run worlds -- ${process.argv.slice(2).join(' ')}`.trim();
  for (const family of values.report ? [] : families) {
    const dir = join(out, family);
    await mkdir(dir, { recursive: true });
    // A family's folder holds its latest run only: earlier seeds would mix other parameters in.
    for (const f of await readdir(dir)) if (f.endsWith('.json')) await rm(join(dir, f));
    for (let s = firstSeed; s < firstSeed + seeds; s++) {
      const params = paramsOf(family, s);
      const t0 = Date.now();
      log.info(`[${family}/${params.seed}] ${params.users} users (+${params.newUsersPerRound}/round), ${params.items} items (+${params.newItemsPerRound}/round, ${params.goodNewItemsPerRound} very good), ${params.dims} dims (${params.contentDims} in the catalog), ${params.click} clicks; batch: slatecast ${['batch', 'run', ...(values['no-gate'] ? ['--no-gate'] : []), ...batchFlags].join(' ')}`);
      const run = await runWorld({
        family,
        params,
        rounds,
        gate: values['no-gate'] !== true,
        batchFlags,
        plantRounds: new Set(plant),
        plantKind,
        workDir: values.keep ? await freshDir(join(dir, `${params.seed}.world`)) : await mkdtemp(join(tmpdir(), `worlds-${params.seed}-`)),
        keep: values.keep === true,
        concurrency,
        recentItems,
        progress: log,
        batchLog: values['batch-log'] === true,
        onRound: (row) => log.info(roundLine(`${family}/${params.seed}`, row)),
      });
      for (const r of run.rounds) if (r.errors) failed.push(`${family}/${params.seed} round ${r.round}: ${r.errors} errors (${r.first_error})`);
      await writeFile(join(dir, `${params.seed}.json`), JSON.stringify(run, null, 2));
      log.info(`[${family}/${params.seed}] done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  }
  await mkdir(out, { recursive: true });
  const all = await summariseFolder(out, command);
  await writeFile(join(out, 'report.html'), await renderWorldsReport(all, { generated_at: new Date().toISOString(), command }));
  process.stdout.write(`\nwrote ${out}/<family>/<seed>.json, summary.json, table.md and ${join(out, 'report.html')} (${all.map((s) => s.family).join(', ')})\n`);
  if (failed.length) {
    process.stderr.write(`worlds: requests failed: ${failed.join('; ')}\n`);
    process.exit(1);
  }
}

/** An empty folder at `path` (what an earlier run kept there is removed). */
async function freshDir(path: string): Promise<string> {
  await rm(path, { recursive: true, force: true });
  await mkdir(path, { recursive: true });
  return path;
}

/**
 * Summarises every family folder of the output folder from its seed files (runs of earlier
 * invocations included), writes each family's summary.json and table.md, prints the tables.
 * @returns the summaries in family order
 */
async function summariseFolder(out: string, command: string): Promise<FamilySummary[]> {
  const found: FamilySummary[] = [];
  for (const d of await readdir(out, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const dir = join(out, d.name);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json') && f !== 'summary.json').sort();
    if (!files.length) continue;
    const runs = await Promise.all(files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as WorldRun));
    const summary = summarise(d.name, runs);
    await writeFile(join(dir, 'summary.json'), JSON.stringify({ generated_at: new Date().toISOString(), command, ...summary }, null, 2));
    const table = summaryTable(summary);
    await writeFile(join(dir, 'table.md'), table);
    process.stdout.write(table);
    found.push(summary);
  }
  const order = (f: string) => (FAMILY_NAMES as string[]).indexOf(f);
  return found.sort((a, b) => order(a.family) - order(b.family));
}

main().catch((e: unknown) => {
  process.stderr.write(`worlds failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
