/**
 * `npm run bench:gate -- DIR`: how well the deploy gate's estimate tracks the truth, replayed on
 * world runs kept with `npm run worlds -- --keep --out DIR`.
 *
 * For every candidate the gate evaluated — each round's real one, published (from the kept
 * bucket) or rejected, and planted copies (`--plant`; both from the kept `candidates/`) — it reads
 * the lake the batch run had, recomputes Δ̂ = V̂(candidate) − V̂(serving) with the gate's own
 * `compareVersions` (today's code), decides with the configured rule (`gateDecision`), and sets
 * both beside the truth the world measured on the same round's visits.
 * `--unmarked` drops the logs' explored marks first: the reward model then takes the mean reward
 * per position as θ (the estimator before the explored-slot curve), on the same data.
 * `--truth` also sets the reward model's value of each version's exploited slate (ε = 0) beside the
 * world's expected clicks for it, on the gate's own logged contexts: model ÷ truth per version (a
 * model blind to what a version gains shows as a candidate below 1 where the serving one is at 1),
 * and splits Δ̂ into its direct part (the model's value of each version as it serves, exploration
 * included, ÷ its true value) and the doubly robust correction.
 * `--clip λ` bounds the doubly robust correction's weights at λ instead of the gate's default
 * (`GATE_DEFAULTS.clip`), and `--prior gamma|mixture|blend` sets the reward model's prior on item lifts
 * (`LiftPrior`), and `--taste both|candidate|none` prices the pairs the log never showed by the
 * two versions' mean taste (none while the serving version has none), the candidate's alone, or
 * at the item's lift, instead of the gate's default (`TasteMode`, `--gate-taste`), to compare them
 * on the same data. `--margins 0.05,0.025` also prints the decisions the gate's rule makes on the
 * same estimates at each relative margin (`--gate-margin`), to choose one. `--slice S` judges on the
 * evaluation slice of share S (`--gate-slice`; default as configured) with the reward model fitted on
 * every impression read, as the gate does — meaningful on runs whose learning held that slice out
 * (`npm run worlds -- --batch="--gate-slice S"`).
 *
 * Prints a line per gate run; calibration over real candidates of rounds ≥ 2 whose true change
 * is under +100% (round 1 replaces the content-only bootstrap: a many-fold change any estimator
 * gets right): error ÷ the serving value (mean, mean absolute), Δ̂ ÷ Δ (median, quartiles), sign
 * agreement, interval coverage; and decisions against the truth at ±5% (better / similar / worse ×
 * published / rejected), real and planted apart. Writes DIR/gate-replay[-unmarked][-clipλ][-prior].json.
 *
 *   npm run bench:gate -- worlds-out [--unmarked] [--truth] [--clip 20] [--prior mixture] [--taste both] [--margins 0.05,0.025]
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readManifest } from '../shared/artifact/verify.js';
import { loadConfig } from '../gpu-batch/config/config.js';
import { withDuck } from '../gpu-batch/lake/duck.js';
import { compareVersions, gateModels, gateTaste } from '../gpu-batch/ope/ope-gate.js';
import { TASTE_MODES, type TasteMode } from '../gpu-batch/ope/gate-defaults.js';
import { gateDecision } from '../shared/ope/gate.js';
import { readLakeSlates, type LoggedImpression } from '../gpu-batch/ope/lake-slates.js';
import { VersionTarget } from '../gpu-batch/ope/policy-view.js';
import { LIFT_PRIORS, tableValue, type ItemPositionModel } from '../shared/ope/item-position-model.js';
import { sampleSlate } from '../shared/explore/index.js';
import { userKey } from '../shared/crypto/hmac.js';
import { rngForImpression } from '../shared/rng.js';
import { World, type SimUser } from '../worlds/sim/world.js';
import { expectedClicks } from '../worlds/sim/click-model.js';
import { SIM_SECRETS } from '../worlds/sim/stack.js';
import { S3Store } from '../gpu-batch/store/s3-store.js';
import { startS3Server } from '../local/s3-server.js';
import type { WorldRun } from '../worlds/run-world.js';

const { values, positionals } = parseArgs({ options: { unmarked: { type: 'boolean' }, truth: { type: 'boolean' }, clip: { type: 'string' }, prior: { type: 'string' }, taste: { type: 'string' }, margins: { type: 'string' }, slice: { type: 'string' } }, allowPositionals: true });
const tasteFlag: TasteMode | undefined = values.taste === undefined ? undefined : TASTE_MODES.find((m) => m === values.taste);

const clip = values.clip === undefined ? undefined : Number(values.clip);
const prior = LIFT_PRIORS.find((p) => p === values.prior);
const margins = values.margins === undefined ? [] : values.margins.split(',').map(Number);
if ((values.slice !== undefined && !(Number(values.slice) >= 0 && Number(values.slice) < 0.5)) || margins.some((m) => !(m >= 0 && m < 1)) || positionals.length !== 1 || (clip !== undefined && !(clip > 0 && Number.isFinite(clip))) || (values.prior !== undefined && prior === undefined) || (values.taste !== undefined && tasteFlag === undefined)) {
  process.stderr.write(`usage: npm run bench:gate -- DIR [--unmarked] [--truth] [--clip λ > 0] [--prior ${LIFT_PRIORS.join('|')}] [--taste both|candidate|none] [--margins m,…] [--slice S]   (DIR from \`npm run worlds -- --keep --out DIR\`)\n`);
  process.exit(2);
}
const out = positionals[0]!;
const config = loadConfig({});
// The slice to judge on: as configured, or --slice S (runs whose learning held it out: `--batch="--gate-slice S"`).
const slice = values.slice === undefined ? config.gate.slice : Number(values.slice);
const tasteMode: TasteMode = tasteFlag ?? config.gate.taste;
const otherTaste = tasteMode !== config.gate.taste;

interface Row {
  family: string;
  seed: string;
  round: number;
  /** The round's real candidate, or a planted copy (`--plant`). */
  kind: 'candidate' | 'planted';
  true_delta: number;
  true_serving: number;
  /** Truth at ±5% of the serving value, as the world suite classes it. */
  truth: 'better' | 'similar' | 'worse';
  recorded: number | null;
  delta_hat: number;
  ci: [number, number];
  ess: number;
  /** What the gate's rule decides on this Δ̂ (`gateDecision`, the configured margin). */
  publish: boolean;
  /** The rule's decision on the same Δ̂ at each relative margin of `--margins`. */
  publish_at: Record<string, boolean>;
  /** With `--truth`: the reward model's value of each version's exploited slates ÷ their true value. */
  model_vs_truth: { candidate: number; serving: number } | null;
  /**
   * With `--truth`: the direct part of Δ̂ (the reward model's value of each version as it serves,
   * exploration included, averaged over the logged contexts) and each version's ÷ its true value;
   * Δ̂ less it is the doubly robust correction.
   */
  direct: { delta: number; candidate: number; serving: number } | null;
  /** With `--truth`: the stop the reward model's folds fitted where they found readers stopping after clicks (`ItemPositionModel.stop`), else null. */
  stop: number[] | null;
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
const calibration = summarise(rows.filter((r) => r.kind === 'candidate' && r.round >= 2 && r.true_delta / r.true_serving < 1));
const decisions = {
  candidates: confusion(rows.filter((r) => r.kind === 'candidate' && r.round >= 2)),
  planted: confusion(rows.filter((r) => r.kind === 'planted')),
};
const how = `${values.unmarked ? 'without explored marks (θ = mean reward per position)' : 'as the gate runs today'}${clip === undefined ? '' : `, weights clipped at ${clip}`}${prior === undefined ? '' : `, ${prior} prior on item lifts`}${otherTaste ? `, taste: ${tasteMode}` : ''}`;
console.log(`\n${how}: ${calibration.runs} real candidates (rounds ≥ 2, true change < +100%)`);
console.log(`  error ÷ serving value: mean ${fmt(calibration.error_mean)}, mean absolute ${calibration.error_mae.toFixed(3)}`);
console.log(`  Δ̂ ÷ Δ: median ${calibration.ratio_median.toFixed(2)} (quartiles ${calibration.ratio_q1.toFixed(2)}–${calibration.ratio_q3.toFixed(2)})`);
console.log(`  sign right ${calibration.sign}/${calibration.runs}; interval covers the true Δ ${calibration.covered}/${calibration.runs}`);
console.log(`  decisions (rule of the configured gate), real candidates rounds ≥ 2: ${JSON.stringify(decisions.candidates)}; planted: ${JSON.stringify(decisions.planted)}`);
const priced = rows.filter((r) => r.kind === 'candidate' && r.round >= 2 && r.model_vs_truth);
if (priced.length) console.log(`  reward model ÷ truth of exploited slates, real candidates rounds ≥ 2: candidate ${mean(priced.map((r) => r.model_vs_truth!.candidate)).toFixed(3)}, serving ${mean(priced.map((r) => r.model_vs_truth!.serving)).toFixed(3)} (mean of ${priced.length})`);
for (const m of margins) {
  const at = rows.map((r) => ({ ...r, publish: r.publish_at[m]! }));
  console.log(`  margin ${m}: real candidates rounds ≥ 2 ${JSON.stringify(confusion(at.filter((r) => r.kind === 'candidate' && r.round >= 2)))}; planted ${JSON.stringify(confusion(at.filter((r) => r.kind === 'planted')))}`);
}
const file = join(out, `gate-replay${values.unmarked ? '-unmarked' : ''}${clip === undefined ? '' : `-clip${clip}`}${prior === undefined ? '' : `-${prior}`}${otherTaste ? `-taste-${tasteMode}` : ''}.json`);
await writeFile(file, `${JSON.stringify({ generated_at: new Date().toISOString(), unmarked: values.unmarked === true, clip: clip ?? null, prior: prior ?? null, taste: tasteMode, calibration, decisions, rows }, null, 2)}\n`);
console.log(`wrote ${file}`);

/** Every evaluated gate run of one kept world (real and planted candidates), recomputed. */
async function replayWorld(family: string, seed: string, run: WorldRun, dir: string): Promise<Row[]> {
  const s3 = await startS3Server('slatecast', { directory: join(dir, 's3') });
  const store = S3Store.fromConfig({ endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  const found: Row[] = [];
  const truth = values.truth ? await worldTruth(run) : null;
  try {
    const parts = await lakeFiles(join(dir, 'batch/lake/impressions'));
    const events = await lakeFiles(join(dir, 'batch/lake/events'));
    await withDuck(async (c) => {
      for (const r of run.rounds) {
        // Every round's batch run appends one part (round 0's found no logs): round r's gate saw r.
        if (r.round === 0 || r.round > parts.length) continue;
        const read = (await readLakeSlates(c, { impressions: parts.slice(0, r.round), events }, { limit: config.gate.maxImpressions, slice, rewards: config.rewards, attributionWindowMs: config.attributionWindowMs })).map((imp) => (values.unmarked ? unmark(imp) : imp));
        const logs = slice > 0 ? read.filter((l) => l.in_slice) : read;
        await truth?.advanceTo(r.round);
        for (const [kind, g] of [['candidate', r.gate], ['planted', r.planted]] as const) {
          if (!g?.evaluated || !g.candidate || !g.serving_before || g.true_candidate === null || g.true_serving_before === null) continue;
          const candidate = await versionTarget(store, dir, g.candidate);
          if (!candidate) continue;
          const serving = await VersionTarget.fromStore(store, await readManifest(store, g.serving_before, null));
          const res = await compareVersions(logs, candidate, serving, { ...(clip === undefined ? {} : { clip }), ...(prior === undefined ? {} : { prior }), taste: tasteMode, modelLogs: read });
          const taste = truth ? await gateTaste(candidate, serving, tasteMode) : null;
          const models = truth ? gateModels(read, logs, prior, taste ?? undefined) : null;
          const d = res.difference;
          const decide = (relativeMargin: number) => gateDecision(d, config.gate.tolerance, undefined, { relativeMargin, servingValue: res.serving.estimate, ess: res.candidate.ess, minEss: config.gate.minEss });
          const decision = decide(config.gate.relativeMargin);
          const rel = (g.true_candidate - g.true_serving_before) / g.true_serving_before;
          const row: Row = {
            family, seed, round: r.round, kind,
            true_delta: g.true_candidate - g.true_serving_before,
            true_serving: g.true_serving_before,
            truth: rel > 0.05 ? 'better' : rel < -0.05 ? 'worse' : 'similar',
            recorded: g.delta_hat, delta_hat: d.estimate, ci: d.ci, ess: d.ess ?? 0, publish: decision.publish,
            publish_at: Object.fromEntries(margins.map((m) => [m, decide(m).publish])),
            model_vs_truth: truth && models ? { candidate: await truth.modelVsTruth(logs, models, candidate), serving: await truth.modelVsTruth(logs, models, serving) } : null,
            direct: models ? await direct(logs, models, candidate, serving, g.true_candidate, g.true_serving_before) : null,
            stop: models ? [...new Set(models)].flatMap((m) => (m.stop === undefined ? [] : [m.stop])) : null,
          };
          found.push(row);
          const mt = row.model_vs_truth ? `; model ÷ truth of exploited slates: candidate ${row.model_vs_truth.candidate.toFixed(3)}, serving ${row.model_vs_truth.serving.toFixed(3)}` : '';
          const dt = row.direct ? `; direct part ${fmt(row.direct.delta)} (÷ truth: candidate ${row.direct.candidate.toFixed(3)}, serving ${row.direct.serving.toFixed(3)}), correction ${fmt(d.estimate - row.direct.delta)}; reading ${row.stop?.length ? `cascade, stop ${row.stop.map((x) => x.toFixed(2)).join('/')}` : 'by position'}` : '';
          console.log(`${seed} round ${r.round}${kind === 'planted' ? ' PLANTED' : ''}: true Δ ${fmt(row.true_delta)} (${fmt(100 * rel, 1)}%), Δ̂ ${fmt(d.estimate)} [${d.ci.map((x) => fmt(x)).join(', ')}] → ${decision.publish ? 'publish' : 'reject'}${mt}${dt}`);
        }
      }
    });
  } finally {
    await s3.stop();
  }
  return found;
}

/**
 * The kept run's world rebuilt from its parameters (worlds are deterministic in their seed), to
 * price slates with the truth: `advanceTo(round)` replays the world's rounds (new items and users).
 */
async function worldTruth(run: WorldRun) {
  const world = new World(run.params, Date.now());
  const users = new Map<string, SimUser>();
  let round = -1;
  const advanceTo = async (r: number) => {
    for (; round < r; ) world.advance(++round, Date.now());
    for (const u of world.users.slice(users.size)) users.set(await userKey(SIM_SECRETS.userSalt, u.id), u);
  };
  const greedy = { name: 'epsilon-greedy' as const, epsilon: 0 };
  /** Σ model value ÷ Σ expected clicks of the version's exploited slate over the logged contexts whose user the world knows. */
  const modelVsTruth = async (logs: readonly LoggedImpression[], models: readonly ItemPositionModel[], target: VersionTarget): Promise<number> => {
    let model = 0;
    let truth = 0;
    for (const [i, imp] of logs.entries()) {
      const user = users.get(imp.user_key);
      if (!user) continue;
      const slate = sampleSlate(greedy, await target.input(imp, greedy), rngForImpression(imp.slate.impression_id));
      const items = slate.items.map((it) => world.itemById(it.item_id));
      if (items.some((it) => it === undefined)) continue;
      truth += expectedClicks(world.clickModel, items.map((it) => world.attraction(user, it!)));
      model += tableValue(models[i]!, slate.items.map((it) => new Map([[it.item_id, 1]])), imp.user_key);
    }
    return truth > 0 ? model / truth : NaN;
  };
  return { advanceTo, modelVsTruth };
}

/** The direct part of Δ̂ (mean model value of each version as served over the logged contexts), and each ÷ the version's true value. */
async function direct(logs: readonly LoggedImpression[], models: readonly ItemPositionModel[], candidate: VersionTarget, serving: VersionTarget, trueCandidate: number, trueServing: number) {
  let c = 0;
  let s = 0;
  for (const [i, imp] of logs.entries()) {
    c += await candidate.modelValue(imp, models[i]!);
    s += await serving.modelValue(imp, models[i]!);
  }
  c /= logs.length;
  s /= logs.length;
  return { delta: c - s, candidate: c / trueCandidate, serving: s / trueServing };
}

/** A published version from the kept bucket, else a rejected or planted one from `candidates/`. */
async function versionTarget(store: S3Store, dir: string, version: string): Promise<VersionTarget | null> {
  const manifest = await readManifest(store, version, null).catch(() => null);
  if (manifest) return VersionTarget.fromStore(store, manifest);
  const root = join(dir, 'candidates', version);
  const names = await readdir(root, { recursive: true }).catch(() => null);
  if (!names) return null;
  const files: Record<string, Uint8Array> = {};
  for (const n of names) if ((await stat(join(root, n))).isFile()) files[n] = await readFile(join(root, n));
  return VersionTarget.fromFiles(version, files);
}

async function lakeFiles(dir: string): Promise<string[]> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.parquet'));
  // Part names carry the run id, which starts with its UTC time: name order is run order.
  return files.sort((a, b) => a.split('/').at(-1)!.localeCompare(b.split('/').at(-1)!)).map((f) => join(dir, f));
}

function unmark(imp: LoggedImpression): LoggedImpression {
  return { ...imp, slate: { ...imp.slate, items: imp.slate.items.map(({ explored: _, ...it }) => it) } };
}

function confusion(rs: readonly Row[]): Record<string, { published: number; rejected: number }> {
  const t: Record<string, { published: number; rejected: number }> = {};
  for (const r of rs) (t[r.truth] ??= { published: 0, rejected: 0 })[r.publish ? 'published' : 'rejected']++;
  return t;
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
