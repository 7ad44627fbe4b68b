import { strategyInputs } from '../explore/index.js';
import type { BetaPosterior, Candidate, SlateInput } from '../explore/types.js';
import { ownValue } from '../own-key.js';
import type { Policy, SurfaceConfig } from '../schemas/artifact.js';
import type { SlateSource } from '../schemas/slate.js';
import type { StrategySpec } from '../schemas/strategy.js';
import type { RecentQuery } from '../scoring/item-matrix.js';
import { TOP_N_MAX } from '../scoring/top-n.js';

/** A user's ranked candidates precomputed by the batch tier (a user-slates shard entry). */
export interface CachedCandidates {
  items: readonly string[];
  scores: readonly number[];
  /** The user's history length, when the batch tier counted it. */
  n?: number;
}

/**
 * What a version is made of, as the view reads it. The edge implements the ports over its
 * isolate's caches (verified shard reads, the isolate's wasm scorer); the batch tier over a
 * published version's files or a candidate's, with its own scorer loaded from the same bytes.
 */
export interface VersionPorts {
  policy: Policy;
  /** The user's cached candidates in the version's user-slates shard, or null. */
  userCandidates(userKey: string): Promise<CachedCandidates | null>;
  /** The version's item posteriors (empty without posteriors.json); asked only when a strategy reads them. */
  posteriors(): Promise<ReadonlyMap<string, BetaPosterior>>;
  /**
   * The wasm step: the item matrix ranked for the recent items (`rankByRecent`). Null passes to the next step
   * (no matrix, no recent item in it, or a scorer not ready for this version).
   */
  wasm(q: RecentQuery): Promise<Candidate[] | null>;
  /**
   * The session's taste for a known user's cached candidates (`recentTaste`): per item, what the
   * recent items add to its score; null passes (no base column or weight 0, no recent item in the
   * matrix, a scorer not ready for this version).
   */
  recentTaste(q: { recent: readonly string[]; items: readonly string[] }): Promise<Float64Array | null>;
}

/** A request as the view sees it: what the edge was asked, or what an impression logged. */
export interface ServeRequest {
  userKey: string;
  k: number;
  /** `context.recent_item_ids` (empty when none). */
  recent: readonly string[];
  /** `context.exclude_item_ids` (empty when none). */
  exclude: readonly string[];
}

/** Ranked candidates, the step of the chain that gave them, and the user's history length. */
export interface Ranked {
  source: SlateSource;
  ranked: readonly Candidate[];
  historyLength?: number;
}

/**
 * What a version serves to a request, in one place for the edge and for every estimator (the
 * OPE gate, the epsilon choice, `slatecast ope`), so the gate evaluates exactly what users get:
 * the surface's strategy, candidates through the scorer chain (cache → wasm → popularity: the
 * first step with an answer serves, and says which), and the strategy's input with exactly the
 * optional inputs its registry entry declares (posteriors are read only for strategies that
 * declare them).
 */
export class VersionView {
  #popularity: Candidate[] | null = null;

  constructor(readonly ports: VersionPorts) {}

  get policy(): Policy {
    return this.ports.policy;
  }

  /** The surface's configuration, or null when the version does not serve the surface. */
  surface(name: string): SurfaceConfig | null {
    return ownValue(this.policy.surfaces, name) ?? null;
  }

  /**
   * The scorer chain. `cache`: the user's precomputed candidates (re-ranked with the session's
   * taste when the request has recent items and the version a weight for them). `wasm`: for a
   * user without them but with recent items, the matrix ranked by base appeal + the taste of those
   * items (`recentQuery`; at most `candidates_per_user`).
   * `popularity`: the global ranking; always answers, so it ends the chain. A step passes with
   * null, the one signal that moves the chain on (as Hono's SmartRouter moves on only on its one
   * named error); any other error propagates.
   */
  async candidates(req: ServeRequest): Promise<Ranked> {
    const u = await this.ports.userCandidates(req.userKey);
    if (u && u.items.length > 0) {
      let ranked = u.items.map((item, i) => ({ item, score: u.scores[i] ?? 0 }));
      const taste = req.recent.length > 0 ? await this.ports.recentTaste({ recent: req.recent, items: u.items }) : null;
      if (taste) {
        // The session re-ranks what the version knows of the user: stale taste (tastes drift) and
        // what the user is after right now. Equal scores keep the cached order.
        ranked = ranked.map((c, i) => ({ item: c.item, score: c.score + taste[i]!, i })).sort((a, b) => b.score - a.score || a.i - b.i).map(({ item, score }) => ({ item, score }));
      }
      return { source: 'cache', ranked, ...(u.n === undefined ? {} : { historyLength: u.n }) };
    }
    if (req.recent.length > 0) {
      const ranked = await this.ports.wasm({ recent: req.recent, exclude: req.exclude, n: Math.min(TOP_N_MAX, this.policy.candidates_per_user) });
      if (ranked) return { source: 'wasm', ranked };
    }
    this.#popularity ??= this.policy.popularity.map((p) => ({ item: p.item, score: p.score }));
    return { source: 'popularity', ranked: this.#popularity };
  }

  /** The strategy's input for these candidates: the version's pool, the request's k and exclusions, and what the strategy declares. */
  async input(spec: StrategySpec, req: ServeRequest, c: Ranked): Promise<SlateInput> {
    const wants = strategyInputs(spec);
    return {
      ranked: c.ranked,
      pool: this.policy.exploration_pool,
      k: req.k,
      exclude: new Set(req.exclude),
      ...(wants.includes('history_length') ? { history_length: c.historyLength ?? 0 } : {}),
      ...(wants.includes('generation') ? { generation: this.policy.generation ?? 0 } : {}),
      ...(wants.includes('posteriors') ? { posteriors: await this.ports.posteriors() } : {}),
    };
  }

  /** Candidates and the strategy input for one request: what `sampleSlate` / `slateMarginals` get. */
  async serve(spec: StrategySpec, req: ServeRequest): Promise<{ source: SlateSource; input: SlateInput }> {
    const c = await this.candidates(req);
    return { source: c.source, input: await this.input(spec, req, c) };
  }
}
