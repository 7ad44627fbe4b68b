import { decayedEpsilon, prepare, slateMarginals, type EpsilonGreedyParams } from '../../shared/explore/index.js';
import type { Prepared } from '../../shared/explore/prepare.js';
import type { SlateInput } from '../../shared/explore/types.js';
import { attractionFrom, predictReward, readOnValue, tableValue, type ItemPositionModel, type PairTaste } from '../../shared/ope/item-position-model.js';
import { rngForImpression } from '../../shared/rng.js';
import { Policy, type Manifest } from '../../shared/schemas/artifact.js';
import type { SlateSource } from '../../shared/schemas/slate.js';
import type { StrategySpec } from '../../shared/schemas/strategy.js';
import { VersionView, type ServeRequest } from '../../shared/serving/version-view.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { LoggedImpression } from './lake-slates.js';
import { batchPorts, memoryFiles, storeFiles, versionTaste, type VersionFiles } from './version-ports.js';

/** Monte-Carlo replays per distinct input for softmax / Thompson targets (capped for cost). */
export const OPE_MAX_REPLAYS = 2000;

type Table = Array<Map<string, number>>;

/**
 * What a version would serve, as a target policy for off-policy evaluation: for a logged
 * impression it asks the shared serving view (`shared/serving/`, the code the edge serves with)
 * for the strategy input this version would build for the logged request (user key, k,
 * exclusions, recent items), candidates through the same chain (cache → wasm, on the same kernel
 * → popularity), and returns `slateMarginals` of the surface's strategy. So π is what users of
 * this version get. Tables are memoised per distinct input, so repeated users cost one
 * computation.
 */
export class VersionTarget {
  private readonly memo = new Map<string, Table>();
  private readonly shapes = new Map<string, Table>();
  private readonly caches: ModelValueCaches = { shapes: this.shapes, compacts: new WeakMap(), poolSums: new WeakMap() };
  private tasteOf: Promise<PairTaste | null> | null = null;

  private constructor(
    readonly version: string,
    private readonly view: VersionView,
    private readonly files: VersionFiles,
  ) {}

  /** The version's personal taste λ · U_u · V_i (`taste.json`, `versionTaste`); null when it has none (bootstrap, λ = 0). */
  taste(): Promise<PairTaste | null> {
    return (this.tasteOf ??= versionTaste(this.files));
  }

  /** The version's policy.json. */
  get policy(): Policy {
    return this.view.policy;
  }

  /**
   * A candidate's files (relative name → bytes), as `versionFiles` made them.
   * @param policy the typed policy when the caller holds it (a candidate before publish);
   *   otherwise `policy.json` among the files is read
   */
  static fromFiles(version: string, files: Readonly<Record<string, Uint8Array>>, policy: Policy = Policy.parse(JSON.parse(new TextDecoder().decode(files['policy.json'])))): VersionTarget {
    const shards = Object.keys(files).filter((f) => f.startsWith('user-slates/')).length;
    const mem = memoryFiles(files);
    return new VersionTarget(version, new VersionView(batchPorts(mem, policy, shards)), mem);
  }

  /** A published version, every file read through its manifest's checksums. */
  static async fromStore(store: ObjectStore, manifest: Manifest): Promise<VersionTarget> {
    const files = storeFiles(store, manifest);
    return new VersionTarget(manifest.version, new VersionView(batchPorts(files, await files.json('policy.json', Policy), manifest.shards)), files);
  }

  /** The strategy this version serves on a surface, or null when it does not serve the surface. */
  spec(surface: string): StrategySpec | null {
    return this.view.surface(surface)?.strategy ?? null;
  }

  /**
   * The input the edge would give the strategy for this impression under this version.
   * @param spec the strategy (default: the surface's) whose declared inputs are built
   * @throws Error when the version does not serve the impression's surface and no spec is given
   */
  async input(imp: LoggedImpression, spec: StrategySpec | null = this.spec(imp.surface)): Promise<SlateInput> {
    return (await this.served(imp, spec)).input;
  }

  private async served(imp: LoggedImpression, spec: StrategySpec | null): Promise<{ source: SlateSource; input: SlateInput }> {
    if (spec === null) throw new Error(`version ${this.version} does not serve surface "${imp.surface}"`);
    return this.view.serve(spec, request(imp));
  }

  /**
   * P(item at position) under this version for the impression's request; an empty table when the
   * version does not serve the surface (it would refuse the request).
   * @param spec override of the surface's strategy (epsilon choice)
   */
  async table(imp: LoggedImpression, spec: StrategySpec | null = this.spec(imp.surface)): Promise<Table> {
    if (spec === null) return [];
    const { source, input } = await this.served(imp, spec);
    // What the input depends on besides the version: the user (cache), the recent items (wasm).
    const from = source === 'cache' ? imp.user_key : source === 'wasm' ? `wasm:${imp.recent.join(',')}` : '~popularity';
    const key = `${imp.surface}|${JSON.stringify(spec)}|${from}|${imp.k}|${[...imp.exclude].sort().join(',')}`;
    let t = this.memo.get(key);
    if (!t) {
      const mc = 'replays' in spec ? { rng: rngForImpression(`ope:${this.version}:${key}`), replays: Math.min(spec.replays, OPE_MAX_REPLAYS) } : undefined;
      t = slateMarginals(spec, input, mc);
      this.memo.set(key, t);
    }
    return t;
  }

  /**
   * π(logged item at its logged position) for every position of the slate, in position order.
   * Epsilon-greedy and decaying epsilon take `loggedProbabilities` (one shared table per input
   * shape, not one per user); other strategies the full `table`.
   */
  async probabilities(imp: LoggedImpression, spec: StrategySpec | null = this.spec(imp.surface)): Promise<number[]> {
    const items = [...imp.slate.items].sort((a, b) => a.position - b.position);
    if (spec?.name === 'epsilon-greedy' || spec?.name === 'decaying-epsilon') {
      const input = await this.input(imp, spec);
      const params = spec.name === 'epsilon-greedy' ? spec : { epsilon: decayedEpsilon(spec, input.history_length ?? 0) };
      return loggedProbabilities(params, input, items, this.shapes);
    }
    const t = await this.table(imp, spec);
    return items.map((it) => t[it.position]?.get(it.item_id) ?? 0);
  }

  /**
   * q̂_π(x) = Σ_l Σ_a π(a at l | x) q̂(a, l): a reward model's value of the slate this version
   * would serve for the impression's request (the direct part of the gate's doubly robust
   * estimate); 0 when the version does not serve the surface. Epsilon-greedy: from the shape table,
   * with the pool's summed γ computed once per model.
   */
  async modelValue(imp: LoggedImpression, model: ItemPositionModel, spec: StrategySpec | null = this.spec(imp.surface)): Promise<number> {
    if (spec === null) return 0;
    if (spec.name === 'epsilon-greedy' || spec.name === 'decaying-epsilon') {
      const input = await this.input(imp, spec);
      const params = spec.name === 'epsilon-greedy' ? spec : { epsilon: decayedEpsilon(spec, input.history_length ?? 0) };
      return epsilonGreedyModelValue(params, input, model, this.caches, imp.user_key);
    }
    return tableValue(model, await this.table(imp, spec), imp.user_key);
  }
}

/** What `epsilonGreedyModelValue` keeps between calls: shape tables, their compact form, pool sums. */
export interface ModelValueCaches {
  shapes: Map<string, Table>;
  compacts: WeakMap<Table, CompactRow[]>;
  poolSums: WeakMap<ItemPositionModel, Map<readonly string[], PoolSum>>;
}

/**
 * Epsilon-greedy's q̂_π(x) = Σ_l Σ_a π(a at l | x) q̂(a, l), exactly as summing over
 * `slateMarginals` gives it, at the cost of the slate's length × the ranked items shown: the
 * shape table's exploit entries (with the user's pair lifts), plus P(explore at l) · θ_l · the
 * prepared pool's mean γ (every pool item is equally likely at an explored slot; the pool is priced
 * without pair lifts, which would cost a pass over it per user), with the reading the slate's own
 * clicks leave where the model has stops (`readOnValue`; the pool's attraction that of its mean
 * γ). The pool's γ is summed once per (model, pool).
 */
export function epsilonGreedyModelValue(params: EpsilonGreedyParams, input: SlateInput, model: ItemPositionModel, caches: ModelValueCaches = { shapes: new Map(), compacts: new WeakMap(), poolSums: new WeakMap() }, user?: string): number {
  const prep = prepare(input);
  const t = shapeTable(params, prep, input.k, caches.shapes);
  let sums = caches.poolSums.get(model);
  if (!sums) caches.poolSums.set(model, (sums = new Map()));
  let pool = sums.get(input.pool);
  if (!pool) sums.set(input.pool, (pool = poolSum(input.pool, model)));
  // γ summed over the prepared pool: the whole pool less what prepare removed from it.
  let gammaPool = pool.gamma;
  const removed = new Set<string>();
  for (const x of [...prep.ranked.slice(0, input.k).map((c) => c.item), ...(input.exclude ?? [])]) {
    if (!pool.items.has(x) || removed.has(x)) continue;
    removed.add(x);
    gammaPool -= model.gamma.get(x) ?? model.prior;
  }
  const size = prep.pool.length;
  const values: number[] = [];
  const attractions: number[] = [];
  compact(t, caches.compacts).forEach(({ explore, exploit }, l) => {
    let v = size > 0 ? explore * (model.theta[l] ?? 0) * (gammaPool / size) : 0;
    let a = model.stop !== undefined && size > 0 ? explore * Math.min(1, (model.theta[0] ?? 0) * (gammaPool / size)) : 0;
    for (const [rank, p] of exploit) {
      const q = predictReward(model, prep.ranked[rank]!.item, l, user);
      v += p * q;
      if (model.stop !== undefined) a += p * attractionFrom(model, q, l, prep.ranked[rank]!.item, user);
    }
    values.push(v);
    attractions.push(a);
  });
  return readOnValue(model, values, attractions);
}

/** A shape table's position: P(some pool item here) and P(ranked[rank] here) for each rank. */
interface CompactRow {
  explore: number;
  exploit: Array<[number, number]>;
}

/** A shape table without its |pool| per-item entries (one pass per shape, memoised). */
function compact(t: Table, memo: WeakMap<Table, CompactRow[]>): CompactRow[] {
  let c = memo.get(t);
  if (c) return c;
  c = t.map((row) => {
    const out: CompactRow = { explore: 0, exploit: [] };
    for (const [key, p] of row) {
      if (key[0] === 'r') out.exploit.push([Number(key.slice(1)), p]);
      else out.explore += p;
    }
    return out;
  });
  memo.set(t, c);
  return c;
}

/** The distinct items of a version's exploration pool and their summed γ under one model. */
interface PoolSum {
  items: Set<string>;
  gamma: number;
}

function poolSum(pool: readonly string[], model: ItemPositionModel): PoolSum {
  const items = new Set(pool);
  let gamma = 0;
  for (const x of items) gamma += model.gamma.get(x) ?? model.prior;
  return { items, gamma };
}

/** The request an impression logged, as the serving view takes it. */
function request(imp: LoggedImpression): ServeRequest {
  return { userKey: imp.user_key, k: imp.k, recent: imp.recent, exclude: imp.exclude };
}

/**
 * Epsilon-greedy's P(item at position) for the given (item, position) pairs only, exactly as
 * `slateMarginals` gives them, at a fraction of the cost. Epsilon-greedy's marginals depend on the
 * input only through the shape of the prepared input (|ranked|, |pool| after exclusions, k) and
 * on which prepared slot an item occupies: P(ranked[t] at i) = exploit_i,t, P(pool item at i) =
 * explore_i / |pool|. So one table of a canonical input of that shape (memoised in `shapes`)
 * serves every user, instead of one table of k × (|ranked| + |pool|) entries per impression.
 */
export function loggedProbabilities(params: EpsilonGreedyParams, input: SlateInput, items: ReadonlyArray<{ item_id: string; position: number }>, shapes: Map<string, Table> = new Map()): number[] {
  const prep = prepare(input);
  const t = shapeTable(params, prep, input.k, shapes);
  const rankOf = new Map<string, number>();
  const wanted = new Set(items.map((it) => it.item_id));
  prep.ranked.forEach((c, i) => {
    if (wanted.has(c.item)) rankOf.set(c.item, i);
  });
  const inPool = new Set(prep.pool.filter((x) => wanted.has(x)));
  return items.map((it) => {
    const row = t[it.position];
    if (!row) return 0;
    // A pool item ranked below the top k can only be shown by exploring (as in slateMarginals).
    if (inPool.has(it.item_id)) return row.get('p0') ?? 0;
    const r = rankOf.get(it.item_id);
    return r === undefined ? 0 : (row.get(`r${r}`) ?? 0);
  });
}

/**
 * Epsilon-greedy's marginals for a canonical input of the prepared input's shape: ranked items
 * `r0`, `r1` …, pool items `p0`, `p1` … (every pool item has `p0`'s probability). Memoised in
 * `shapes`.
 */
function shapeTable(params: EpsilonGreedyParams, prep: Prepared, k: number, shapes: Map<string, Table>): Table {
  const key = `${params.epsilon}|${params.position_weights?.join(',') ?? ''}|${prep.ranked.length}|${prep.pool.length}|${k}`;
  let t = shapes.get(key);
  if (!t) {
    const canonical: SlateInput = {
      ranked: prep.ranked.map((_, i) => ({ item: `r${i}`, score: prep.ranked.length - i })),
      pool: prep.pool.map((_, j) => `p${j}`),
      k,
    };
    t = slateMarginals({ name: 'epsilon-greedy', epsilon: params.epsilon, ...(params.position_weights ? { position_weights: [...params.position_weights] } : {}) }, canonical);
    shapes.set(key, t);
  }
  return t;
}

/** The slate log arrays (rewards and logged propensities per position, in position order). */
export function slateLog(imps: readonly LoggedImpression[]): { rewards: number[][]; propensities: number[][] } {
  const sorted = imps.map((i) => [...i.slate.items].sort((a, b) => a.position - b.position));
  return { rewards: sorted.map((s) => s.map((it) => it.reward)), propensities: sorted.map((s) => s.map((it) => it.propensity)) };
}
