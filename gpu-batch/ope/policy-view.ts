import { shardOf } from '../../shared/artifact/paths.js';
import { readVerifiedJson } from '../../shared/artifact/verify.js';
import { decayedEpsilon, prepare, slateMarginals, type EpsilonGreedyParams } from '../../shared/explore/index.js';
import type { BetaPosterior, SlateInput } from '../../shared/explore/types.js';
import { rngForImpression } from '../../shared/rng.js';
import { Policy, UserSlateShard, type Manifest } from '../../shared/schemas/artifact.js';
import { PosteriorsFile } from '../../shared/schemas/posteriors.js';
import type { StrategySpec } from '../../shared/schemas/strategy.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import { shardFile } from '../../shared/artifact/paths.js';
import type { LoggedImpression } from './lake-slates.js';

/** Monte-Carlo replays per distinct input for softmax / Thompson targets (capped for cost). */
export const OPE_MAX_REPLAYS = 2000;

type Table = Array<Map<string, number>>;

/**
 * What a version would serve, as a target policy for off-policy evaluation: for a logged
 * impression it rebuilds the strategy input the edge would build with this version (the user's
 * cached candidates from the version's user-slates shard, else the popularity list; the policy's
 * exploration pool; the logged k and exclusions; the history length, generation and posteriors)
 * and returns `slateMarginals` of the surface's strategy. The edge's middle step (WASM scoring
 * from recent items, for users without cached candidates) is approximated by popularity.
 * Tables are memoised per distinct input, so repeated users cost one computation.
 */
export class VersionTarget {
  private readonly shardCache = new Map<number, Promise<UserSlateShard | null>>();
  private posteriorsMap: Promise<ReadonlyMap<string, BetaPosterior>> | null = null;
  private readonly memo = new Map<string, Table>();

  private constructor(
    readonly version: string,
    readonly policy: Policy,
    private readonly shards: number,
    private readonly loadShard: (i: number) => Promise<UserSlateShard | null>,
    private readonly loadPosteriors: () => Promise<ReadonlyMap<string, BetaPosterior>>,
  ) {}

  /** A candidate's files (relative name → bytes), as `versionFiles` made them. */
  static fromFiles(version: string, files: Readonly<Record<string, Uint8Array>>): VersionTarget {
    const json = (name: string): unknown => JSON.parse(new TextDecoder().decode(files[name]!));
    const policy = Policy.parse(json('policy.json'));
    const shards = Object.keys(files).filter((f) => f.startsWith('user-slates/')).length;
    return new VersionTarget(
      version,
      policy,
      shards,
      async (i) => (files[shardFile(i)] ? UserSlateShard.parse(json(shardFile(i))) : null),
      async () => (files['posteriors.json'] ? posteriorMap(PosteriorsFile.parse(json('posteriors.json'))) : new Map()),
    );
  }

  /** A published version, every file read through its manifest's checksums. */
  static async fromStore(store: ObjectStore, manifest: Manifest): Promise<VersionTarget> {
    const policy = await readVerifiedJson(store, manifest, 'policy.json', Policy);
    return new VersionTarget(
      manifest.version,
      policy,
      manifest.shards,
      async (i) => (manifest.files[shardFile(i)] ? readVerifiedJson(store, manifest, shardFile(i), UserSlateShard) : null),
      async () => ('posteriors.json' in manifest.files ? posteriorMap(await readVerifiedJson(store, manifest, 'posteriors.json', PosteriorsFile)) : new Map()),
    );
  }

  /** The strategy this version serves on a surface, or null when it does not serve the surface. */
  spec(surface: string): StrategySpec | null {
    return this.policy.surfaces[surface]?.strategy ?? null;
  }

  /** The input the edge would give the strategy for this impression under this version. */
  async input(imp: LoggedImpression): Promise<SlateInput> {
    const shard = this.shards > 0 ? await this.shard(shardOf(imp.user_key, this.shards)) : null;
    const u = shard?.users[imp.user_key];
    const spec = this.spec(imp.surface);
    const needsPosteriors = spec?.name === 'thompson' || spec?.name === 'ucb';
    return {
      ranked: u ? u.items.map((item, i) => ({ item, score: u.scores[i] ?? 0 })) : this.policy.popularity.map((p) => ({ item: p.item, score: p.score })),
      pool: this.policy.exploration_pool,
      k: imp.k,
      exclude: new Set(imp.exclude),
      history_length: u?.n ?? 0,
      generation: this.policy.generation ?? 0,
      ...(needsPosteriors ? { posteriors: await this.posteriors() } : {}),
    };
  }

  /**
   * P(item at position) under this version for the impression's request; an empty table when the
   * version does not serve the surface (it would refuse the request).
   * @param specFor override of the surface's strategy (epsilon choice)
   */
  async table(imp: LoggedImpression, spec: StrategySpec | null = this.spec(imp.surface)): Promise<Table> {
    if (spec === null) return [];
    const shard = this.shards > 0 ? await this.shard(shardOf(imp.user_key, this.shards)) : null;
    const cached = shard?.users[imp.user_key] !== undefined;
    const key = `${imp.surface}|${JSON.stringify(spec)}|${cached ? imp.user_key : '~popularity'}|${imp.k}|${[...imp.exclude].sort().join(',')}`;
    let t = this.memo.get(key);
    if (!t) {
      const input = await this.input(imp);
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
      const input = await this.input(imp);
      const params = spec.name === 'epsilon-greedy' ? spec : { epsilon: decayedEpsilon(spec, input.history_length ?? 0) };
      return loggedProbabilities(params, input, items, this.shapes);
    }
    const t = await this.table(imp, spec);
    return items.map((it) => t[it.position]?.get(it.item_id) ?? 0);
  }

  private readonly shapes = new Map<string, Table>();

  private shard(i: number): Promise<UserSlateShard | null> {
    let s = this.shardCache.get(i);
    if (!s) this.shardCache.set(i, (s = this.loadShard(i)));
    return s;
  }

  private posteriors(): Promise<ReadonlyMap<string, BetaPosterior>> {
    return (this.posteriorsMap ??= this.loadPosteriors());
  }
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
  const key = `${params.epsilon}|${params.position_weights?.join(',') ?? ''}|${prep.ranked.length}|${prep.pool.length}|${input.k}`;
  let t = shapes.get(key);
  if (!t) {
    const canonical: SlateInput = {
      ranked: prep.ranked.map((_, i) => ({ item: `r${i}`, score: prep.ranked.length - i })),
      pool: prep.pool.map((_, j) => `p${j}`),
      k: input.k,
    };
    t = slateMarginals({ name: 'epsilon-greedy', epsilon: params.epsilon, ...(params.position_weights ? { position_weights: [...params.position_weights] } : {}) }, canonical);
    shapes.set(key, t);
  }
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

function posteriorMap(f: PosteriorsFile): ReadonlyMap<string, BetaPosterior> {
  return new Map(f.ids.map((id, i) => [id, { alpha: f.alpha[i]!, beta: f.beta[i]! }]));
}

/** The slate log arrays (rewards and logged propensities per position, in position order). */
export function slateLog(imps: readonly LoggedImpression[]): { rewards: number[][]; propensities: number[][] } {
  const sorted = imps.map((i) => [...i.slate.items].sort((a, b) => a.position - b.position));
  return { rewards: sorted.map((s) => s.map((it) => it.reward)), propensities: sorted.map((s) => s.map((it) => it.propensity)) };
}
