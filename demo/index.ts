/**
 * `npm run demo`: the whole loop on loopback with embedded defaults.
 * Embedded S3 server → catalog → bootstrap batch → for each round: the worker (workerd) serves
 * simulated users over HTTP, they click by a planted ground truth, the queue flushes logs to S3,
 * the batch tier retrains through S3 and publishes, the edge picks the new version up.
 * Writes demo-out/summary.json and demo-out/report.html; exits non-zero on any failure.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { cliErrors } from '../worlds/cli-args.js';
import { runDemo, type DemoOptions } from './run-demo.js';
import { renderReport } from './report.js';
import { DEMO_WORLD } from '../worlds/families.js';

const USAGE = `usage: npm run demo -- [--rounds N] [--users N] [--items N] [--seed S] [--epsilon auto|X] [--compare] [--out DIR]
  --rounds    retraining rounds after the bootstrap (default 5)
  --users     initial simulated users (default ${DEMO_WORLD.users})
  --items     initial catalog items (default ${DEMO_WORLD.items})
  --seed      world seed (default ${DEMO_WORLD.seed})
  --epsilon   exploration: auto (the batch tier chooses) or a fixed value in [0, 1]; 0 = none
  --compare   also run the same world with --epsilon 0 and put both in the report
  --out       output folder (default demo-out)`;

const { fail, int, parse } = cliErrors('demo', USAGE);

async function main(): Promise<void> {
  const values = parse(process.argv.slice(2), {
    rounds: { type: 'string' },
    users: { type: 'string' },
    items: { type: 'string' },
    seed: { type: 'string' },
    epsilon: { type: 'string' },
    compare: { type: 'boolean' },
    out: { type: 'string' },
  });
  const eps = values.epsilon ?? 'auto';
  if (eps !== 'auto' && !(Number(eps) >= 0 && Number(eps) <= 1)) fail(`--epsilon must be "auto" or a number in [0, 1], got "${eps}"`);
  const opts: DemoOptions = {
    rounds: int(values.rounds, 'rounds', 5, 1, 50),
    world: { ...DEMO_WORLD, users: int(values.users, 'users', DEMO_WORLD.users, 10, 100_000), items: int(values.items, 'items', DEMO_WORLD.items, 30, 100_000), seed: values.seed ?? DEMO_WORLD.seed },
    epsilon: eps === 'auto' ? 'auto' : Number(eps),
    out: resolve(values.out ?? 'demo-out'),
  };
  await mkdir(opts.out, { recursive: true });
  const runs = [await runDemo({ ...opts, label: eps === 'auto' ? 'explore (auto epsilon)' : `epsilon ${eps}` })];
  if (values.compare) runs.push(await runDemo({ ...opts, epsilon: 0, label: 'no exploration' }));
  const summary = { generated_at: new Date().toISOString(), world: { ...opts.world, rounds: opts.rounds }, runs };
  await writeFile(join(opts.out, 'summary.json'), JSON.stringify(summary, null, 2));
  await writeFile(join(opts.out, 'report.html'), await renderReport(summary));
  process.stdout.write(`\nwrote ${join(opts.out, 'summary.json')} and ${join(opts.out, 'report.html')}\n`);
  const failed = runs.flatMap((r) => r.rounds.filter((x) => x.errors > 0).map((x) => `${r.label} round ${x.round}: ${x.errors} errors`));
  if (failed.length) {
    process.stderr.write(`demo: requests failed: ${failed.join('; ')}\n`);
    process.exit(1);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
