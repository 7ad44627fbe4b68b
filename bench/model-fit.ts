/**
 * `npm run bench:model`: how much the personal model can add over the best non-personalised list,
 * measured offline on the world families (docs/worlds.md), apart from the loop's exploration and
 * base-appeal noise.
 *
 * Per family and seed: `--rounds` rounds of traffic under a fixed logging policy (70% of slots from
 * the 100 items of the best list, 30% uniform over the catalog), turned into the training pairs the
 * batch tier builds (a positive row per clicked (user, item), a negative row for its unclicked
 * showings, negative-only pairs kept at 4 per positive and up-weighted). Then, on the next round's
 * visitors who have data, each ranking is top-k by true base appeal (the logit of the item's mean
 * attraction over them) + λ · personal score, λ the best of a grid; the figure is expected clicks
 * ÷ the best non-personalised list's. Base appeal is the truth here, so only the personal term is
 * under test.
 *
 * Personal scores compared:
 * - `trainer`: the batch tier's tfjs MF (`trainMf`) with the defaults of `slatecast batch run`;
 * - `trainer+profile`: the same plus μ · the user's content profile (`contentProfiles`: mean text
 *   of clicked minus passed-over items) · the item's text, the best of a grid of (λ, μ) — what
 *   the batch tier serves known users;
 * - `map`: logistic MF fitted by alternating MAP (one Fisher-scoring step per row and sweep,
 *   N(0, 1/τ) priors), a reference estimator;
 * - `map+content`: the same with each item vector's prior centred on the ridge regression of the
 *   vectors on the items' content features (a content tower fitted by alternation);
 * - `ceiling`: each user's taste by MAP from their own clicks knowing every item's true vector and
 *   quality, the click model's examination and the prior (the PBM likelihood; for the cascade an
 *   approximation) — what any model that learns user taste from the same clicks can at most reach.
 *
 * Prints a table (mean and min–max over seeds) and writes bench/model-fit.json.
 *   --family sparse,drift   (default: every family)   --seeds 2   --rounds 4
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { TrainingPairs } from '../gpu-batch/dataset/read-dataset.js';
import { loadConfig } from '../gpu-batch/config/config.js';
import { selectBackend } from '../gpu-batch/train/backend.js';
import { contentRegression } from '../gpu-batch/train/cold-items.js';
import { CONTENT_BUCKETS, contentFeatures } from '../gpu-batch/train/content-features.js';
import { choleskySolve } from '../gpu-batch/train/linalg.js';
import { trainMf } from '../gpu-batch/train/mf-model.js';
import { contentProfiles, profileScore } from '../gpu-batch/train/content-profile.js';
import { xoshiro128ss, seedFromString, type Rng } from '../shared/rng.js';
import { FAMILIES, FAMILY_NAMES, type FamilyName } from '../worlds/families.js';
import { expectedClicks, sampleClicks } from '../worlds/sim/click-model.js';
import { World } from '../worlds/sim/world.js';

const { values } = parseArgs({ options: { family: { type: 'string' }, seeds: { type: 'string' }, rounds: { type: 'string' } } });
const families = (values.family ?? FAMILY_NAMES.join(',')).split(',') as FamilyName[];
for (const f of families) if (!(f in FAMILIES)) usage(`unknown family "${f}" (families: ${FAMILY_NAMES.join(', ')})`);
const seeds = Number(values.seeds ?? 2);
const rounds = Number(values.rounds ?? 4);
if (!(Number.isInteger(seeds) && seeds >= 1)) usage('--seeds must be an integer ≥ 1');
if (!(Number.isInteger(rounds) && rounds >= 1)) usage('--rounds must be an integer ≥ 1');

const LAMBDAS = [0, 0.25, 0.5, 1, 2, 4];
const PROFILE_WEIGHTS = [0, 0.5, 1, 2, 4, 8];
const TAU = 10;
const EVAL_USERS = 1500;
const config = loadConfig({});
const backend = await selectBackend('cpu');
const results: Record<string, Record<string, number[]>> = {};
const t0 = performance.now();

for (const family of families) {
  results[family] = {};
  for (let s = 1; s <= seeds; s++) {
    const world = new World({ ...FAMILIES[family], seed: `${family}-${s}` }, Date.UTC(2026, 0, 1));
    const rng = xoshiro128ss(seedFromString(`model-fit:${family}-${s}`));
    const { log, next } = simulateLogs(world, rounds, rng);
    const pairs = trainingPairs(log, world.items.length, config.negativesPerPositive, rng);
    const ev = evaluation(world, pairs, next);
    const figures: Record<string, number> = {};
    const trained = await trainMf(pairs, { nUsers: world.users.length, nItems: world.items.length, dims: config.dims, epochs: config.epochs, batchSize: config.batchSize, learningRate: config.learningRate, l2: config.l2, randomNegatives: config.randomNegatives, seed: config.seed });
    figures.trainer = ev.personalLift(trained.params.user, trained.params.item, config.dims);
    const content = contentFeatures(world.items.map((it) => it.catalog));
    figures['trainer+profile'] = ev.profileLift(trained.params.user, trained.params.item, config.dims, contentProfiles(pairs, content, CONTENT_BUCKETS, world.users.length), content, CONTENT_BUCKETS);
    const map = alternatingMap(pairs, world.users.length, world.items.length, config.dims, TAU, null);
    figures.map = ev.personalLift(map.U, map.V, config.dims);
    const mapContent = alternatingMap(pairs, world.users.length, world.items.length, config.dims, TAU, content);
    figures['map+content'] = ev.personalLift(mapContent.U, mapContent.V, config.dims);
    figures.ceiling = ev.ceiling(log);
    figures.best_vs_oracle = ev.bestVsOracle;
    for (const [k, v] of Object.entries(figures)) (results[family][k] ??= []).push(v);
    console.error(`[${family}-${s}] ${log.length} impressions, ${pairs.positives} clicked pairs, ${ev.users.length} users measured: ${Object.entries(figures).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(' · ')} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
}

const cols = ['trainer', 'trainer+profile', 'map', 'map+content', 'ceiling', 'best_vs_oracle'];
console.log(`\nPersonal lift: expected clicks ÷ the best non-personalised list's, true base appeal + best λ · personal score (${seeds} seeds, ${rounds} rounds of logs)`);
console.log(`| family | ${cols.join(' | ')} |\n|---|${cols.map(() => '---').join('|')}|`);
for (const [family, r] of Object.entries(results)) console.log(`| ${family} | ${cols.map((c) => spread(r[c]!)).join(' | ')} |`);
writeFileSync(new URL('./model-fit.json', import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), backend: backend.backend, seeds, rounds, tau: TAU, lambdas: LAMBDAS, config: { dims: config.dims, epochs: config.epochs, l2: config.l2, learning_rate: config.learningRate }, results }, null, 2)}\n`);
console.log('\nwrote bench/model-fit.json');

interface Shown {
  user: number;
  item: number;
  position: number;
  click: boolean;
}

/** `rounds` rounds of visits under the logging policy; `next`: the visitors of the round after. */
function simulateLogs(world: World, rounds: number, rng: Rng): { log: Shown[]; next: number[] } {
  const p = world.params;
  const log: Shown[] = [];
  for (let r = 0; ; r++) {
    if (r > 0) world.advance(r, Date.UTC(2026, 0, 1) + r * 86_400_000);
    const visitors: number[] = [];
    world.users.forEach((u, ui) => {
      if (u.bornRound !== r && rng.next() >= p.returning) return;
      const visits = p.visitsMin + Math.floor(rng.next() * (p.visitsMax - p.visitsMin + 1));
      for (let v = 0; v < visits; v++) visitors.push(ui);
    });
    if (r === rounds) return { log, next: [...new Set(visitors)] };
    const top = bestItems(world, world.users.slice(0, 400), 100);
    for (const ui of visitors) {
      const slate = new Set<number>();
      while (slate.size < p.k) slate.add(rng.next() < 0.7 ? top[Math.floor(rng.next() * top.length)]! : Math.floor(rng.next() * world.items.length));
      const items = [...slate];
      const clicks = sampleClicks(world.clickModel, items.map((i) => world.attraction(world.users[ui]!, world.items[i]!)), rng);
      items.forEach((item, position) => log.push({ user: ui, item, position, click: clicks[position]! }));
    }
  }
}

/** The n items of highest mean attraction over `users`. */
function bestItems(world: World, users: World['users'], n: number): number[] {
  const mean = new Float64Array(world.items.length);
  for (const u of users) for (let i = 0; i < mean.length; i++) mean[i]! += world.attraction(u, world.items[i]!);
  return topIndices(mean.length, (i) => mean[i]!, n);
}

/** What `readTrainingPairs` builds from the same showings (negative-only pairs kept by `rng`). */
function trainingPairs(log: readonly Shown[], nItems: number, negativesPerPositive: number, rng: Rng): TrainingPairs {
  const byPair = new Map<number, { user: number; item: number; n: number; pos: number }>();
  for (const e of log) {
    const key = e.user * nItems + e.item;
    const p = byPair.get(key) ?? byPair.set(key, { user: e.user, item: e.item, n: 0, pos: 0 }).get(key)!;
    p.n++;
    if (e.click) p.pos++;
  }
  const all = [...byPair.values()];
  const positives = all.filter((p) => p.pos > 0).length;
  const keep = Math.min(1, (negativesPerPositive * positives) / Math.max(1, all.length - positives));
  const rows: Array<[number, number, number, number]> = [];
  for (const p of all) {
    if (p.pos > 0) {
      rows.push([p.user, p.item, 1, p.pos]);
      if (p.n > p.pos) rows.push([p.user, p.item, 0, p.n - p.pos]);
    } else if (rng.next() < keep) rows.push([p.user, p.item, 0, p.n / keep]);
  }
  return {
    user: Int32Array.from(rows, (r) => r[0]),
    item: Int32Array.from(rows, (r) => r[1]),
    y: Float32Array.from(rows, (r) => r[2]),
    w: Float32Array.from(rows, (r) => r[3]),
    positives,
    keepNegatives: keep,
  };
}

/** The measuring side: the users measured, their true attractions, the best list and oracle. */
function evaluation(world: World, pairs: TrainingPairs, next: readonly number[]) {
  const nI = world.items.length;
  const k = world.params.k;
  const seen = new Uint8Array(world.users.length);
  for (const u of pairs.user) seen[u] = 1;
  const users = next.filter((u) => seen[u]).slice(0, EVAL_USERS);
  const attr = users.map((u) => world.attractionRow(world.users[u]!, new Float64Array(nI)));
  const mean = new Float64Array(nI);
  for (const a of attr) for (let i = 0; i < nI; i++) mean[i]! += a[i]! / attr.length;
  const base = Float64Array.from(mean, (p) => Math.log(p / (1 - p)));
  const value = (list: (j: number) => number[]) => attr.reduce((s, a, j) => s + expectedClicks(world.clickModel, list(j).map((i) => a[i]!)), 0);
  const best = topIndices(nI, (i) => mean[i]!, k);
  const vBest = value(() => best);
  const vOracle = value((j) => topIndices(nI, (i) => attr[j]![i]!, k));
  return {
    users,
    bestVsOracle: vBest / vOracle,
    /** The best over λ of value(base + λ · U_u · V_i) ÷ the best list's. */
    personalLift(U: ArrayLike<number>, V: ArrayLike<number>, d: number): number {
      let bestRatio = 0;
      for (const lambda of LAMBDAS) {
        const v = value((j) => topIndices(nI, (i) => base[i]! + lambda * dot(U, users[j]!, V, i, d), k));
        bestRatio = Math.max(bestRatio, v / vBest);
      }
      return bestRatio;
    },
    /** The best over λ and μ of value(base + λ · U_u · V_i + μ · R_u · x_i) ÷ the best list's. */
    profileLift(U: ArrayLike<number>, V: ArrayLike<number>, d: number, R: Float32Array, X: Float32Array, B: number): number {
      const mf = users.map((u) => Float64Array.from({ length: nI }, (_, i) => dot(U, u, V, i, d)));
      const prof = users.map((u) => Float64Array.from({ length: nI }, (_, i) => profileScore(R, X, B, u, i)));
      let bestRatio = 0;
      for (const lambda of LAMBDAS) {
        for (const mu of PROFILE_WEIGHTS) {
          const v = value((j) => topIndices(nI, (i) => base[i]! + lambda * mf[j]![i]! + mu * prof[j]![i]!, k));
          bestRatio = Math.max(bestRatio, v / vBest);
        }
      }
      return bestRatio;
    },
    ceiling(log: readonly Shown[]): number {
      const p = world.params;
      const D = p.dims;
      const rowsOf = new Map<number, Shown[]>();
      for (const e of log) (rowsOf.get(e.user) ?? rowsOf.set(e.user, []).get(e.user)!).push(e);
      const precision = D / p.vectorScale ** 2;
      const examine = world.clickModel.examine;
      const v = value((j) => {
        const u = new Float64Array(D);
        for (let it = 0; it < 8; it++) {
          const g = Float64Array.from(u, (x) => -precision * x);
          const H = new Float64Array(D * D);
          for (let q = 0; q < D; q++) H[q * D + q] = precision;
          for (const e of rowsOf.get(users[j]!) ?? []) {
            const item = world.items[e.item]!;
            const s = 1 / (1 + Math.exp(-(p.base + p.affinity * dot(u, 0, item.v, 0, D) + item.quality)));
            const ep = examine[e.position]!;
            const P = Math.min(1 - 1e-9, ep * s);
            // d log-likelihood / dz of P(click) = e(p)·σ(z), and its Fisher information.
            const dz = e.click ? 1 - s : (-ep * s * (1 - s)) / (1 - P);
            const fz = (ep * s * (1 - s)) ** 2 / (P * (1 - P));
            for (let q = 0; q < D; q++) {
              g[q]! += p.affinity * item.v[q]! * dz;
              for (let r = 0; r < D; r++) H[q * D + r]! += p.affinity ** 2 * item.v[q]! * item.v[r]! * fz;
            }
          }
          const step = choleskySolve(H, g, D, 1);
          for (let q = 0; q < D; q++) u[q]! += step[q]!;
        }
        return topIndices(nI, (i) => p.affinity * dot(u, 0, world.items[i]!.v, 0, D) + world.items[i]!.quality, k);
      });
      return v / vBest;
    },
  };
}

/**
 * Logistic MF z = b_i + u·v_i by alternating MAP: one Fisher-scoring (Newton) step per user row,
 * then per item row (vector and bias), per sweep; u, v ~ N(0, 1/τ), the bias nearly free. With
 * content features, an item's prior is centred on the ridge regression of the item vectors on
 * their content (refitted every sweep) instead of on 0.
 */
function alternatingMap(pairs: TrainingPairs, nU: number, nI: number, d: number, tau: number, content: Float32Array | null, sweeps = 10): { U: Float64Array; V: Float64Array } {
  const rng = xoshiro128ss(seedFromString('model-fit:map'));
  const U = new Float64Array(nU * d);
  const V = Float64Array.from({ length: nI * d }, () => (rng.next() - 0.5) * 0.2);
  let pos = 0;
  let tot = 0;
  for (let r = 0; r < pairs.y.length; r++) {
    tot += pairs.w[r]!;
    if (pairs.y[r]! > 0) pos += pairs.w[r]!;
  }
  const b = new Float64Array(nI).fill(Math.log(pos / (tot - pos)));
  const byUser: number[][] = Array.from({ length: nU }, () => []);
  const byItem: number[][] = Array.from({ length: nI }, () => []);
  for (let r = 0; r < pairs.y.length; r++) {
    byUser[pairs.user[r]!]!.push(r);
    byItem[pairs.item[r]!]!.push(r);
  }
  /** One Newton step of a row's m coefficients; x(r, out) writes sample r's features. */
  const newtonRow = (rows: number[], theta: Float64Array, prior: Float64Array, m: number, x: (r: number, out: Float64Array) => void, z: (r: number) => number, biasFree: boolean) => {
    const g = new Float64Array(m);
    const H = new Float64Array(m * m);
    for (let q = 0; q < m; q++) {
      const t = biasFree && q === m - 1 ? 1e-3 : tau;
      g[q] = -t * (theta[q]! - prior[q]!);
      H[q * m + q] = t;
    }
    const f = new Float64Array(m);
    for (const r of rows) {
      const w = pairs.w[r]!;
      const p = 1 / (1 + Math.exp(-z(r)));
      const e = w * (pairs.y[r]! - p);
      const h = w * p * (1 - p);
      x(r, f);
      for (let q = 0; q < m; q++) {
        g[q]! += e * f[q]!;
        for (let c = 0; c < m; c++) H[q * m + c]! += h * f[q]! * f[c]!;
      }
    }
    return choleskySolve(H, g, m, 1);
  };
  const zero = new Float64Array(d + 1);
  for (let sweep = 0; sweep < sweeps; sweep++) {
    for (let u = 0; u < nU; u++) {
      if (byUser[u]!.length === 0) continue;
      const theta = U.subarray(u * d, (u + 1) * d);
      const step = newtonRow(byUser[u]!, Float64Array.from(theta), zero, d, (r, out) => out.set(V.subarray(pairs.item[r]! * d, (pairs.item[r]! + 1) * d)), (r) => b[pairs.item[r]!]! + dot(U, u, V, pairs.item[r]!, d), false);
      for (let q = 0; q < d; q++) theta[q]! += step[q]!;
    }
    const centre = content ? contentMeans(content, V, nI, d) : null;
    for (let i = 0; i < nI; i++) {
      if (byItem[i]!.length === 0) continue;
      const theta = new Float64Array(d + 1);
      theta.set(V.subarray(i * d, (i + 1) * d));
      theta[d] = b[i]!;
      const prior = new Float64Array(d + 1);
      if (centre) prior.set(centre.subarray(i * d, (i + 1) * d));
      const step = newtonRow(byItem[i]!, theta, prior, d + 1, (r, out) => {
        out.set(U.subarray(pairs.user[r]! * d, (pairs.user[r]! + 1) * d));
        out[d] = 1;
      }, (r) => b[i]! + dot(U, pairs.user[r]!, V, i, d), true);
      for (let q = 0; q < d; q++) V[i * d + q]! += step[q]!;
      b[i]! += step[d]!;
    }
  }
  return { U, V };
}

/** Each item's vector as its content predicts it: the batch tier's ridge regression of V on content. */
function contentMeans(X: Float32Array, V: Float64Array, nI: number, d: number): Float64Array {
  const h = CONTENT_BUCKETS;
  const W = contentRegression(X, h, V, d, Array.from({ length: nI }, (_, i) => i), 1);
  const M = new Float64Array(nI * d);
  for (let i = 0; i < nI; i++) {
    for (let a = 0; a < h; a++) {
      const x = X[i * h + a]!;
      if (x !== 0) for (let q = 0; q < d; q++) M[i * d + q]! += x * W[a * d + q]!;
    }
  }
  return M;
}

function dot(A: ArrayLike<number>, a: number, B: ArrayLike<number>, b: number, d: number): number {
  let s = 0;
  for (let q = 0; q < d; q++) s += A[a * d + q]! * B[b * d + q]!;
  return s;
}

/** Indices of the n highest scores, best first. */
function topIndices(count: number, score: (i: number) => number, n: number): number[] {
  const s = Float64Array.from({ length: count }, (_, i) => score(i));
  return Array.from({ length: count }, (_, i) => i)
    .sort((a, b) => s[b]! - s[a]!)
    .slice(0, n);
}

function spread(xs: readonly number[]): string {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return `${mean.toFixed(3)} (${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)})`;
}

function usage(msg: string): never {
  console.error(`bench:model: ${msg}`);
  process.exit(2);
}
