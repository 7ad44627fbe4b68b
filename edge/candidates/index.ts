import type { Candidate } from '../../shared/explore/types.js';
import type { SlateContext, SlateSource } from '../../shared/schemas/slate.js';
import type { ObjectStore } from '../../shared/store/object-store.js';
import type { ArtifactCache, Loaded } from '../artifact/artifact-cache.js';

/** What every step of the scorer chain may look at. */
export interface CandidateRequest {
  userKey: string;
  context: SlateContext;
  loaded: Loaded;
  store: ObjectStore;
  cache: ArtifactCache;
  now: number;
}

/**
 * One step of the chain. Returns ranked candidates, or null to pass to the next step ("I have
 * nothing for this user") — the one signal that moves the chain on, as Hono's SmartRouter moves on
 * only on its one named error. Other exceptions propagate.
 */
export interface CandidateStep {
  source: SlateSource;
  candidates(req: CandidateRequest): Promise<Ranked | null>;
}

/** A step's answer: the ranking, and the user's history length when the step knows it. */
export interface Ranked {
  ranked: Candidate[];
  historyLength?: number;
}

/** `cache`: the user's ranked candidates precomputed by the batch tier. */
export const cacheStep: CandidateStep = {
  source: 'cache',
  async candidates(req) {
    const u = await req.cache.userCandidates(req.store, req.loaded, req.userKey, req.now);
    if (!u || u.items.length === 0) return null;
    return { ranked: u.items.map((item, i) => ({ item, score: u.scores[i] ?? 0 })), historyLength: u.n };
  },
};

/** `popularity`: the global ranking; always answers, so it ends every chain. */
export const popularityStep: CandidateStep = {
  source: 'popularity',
  async candidates(req) {
    return { ranked: req.loaded.policy.popularity.map((p) => ({ item: p.item, score: p.score })) };
  },
};

/**
 * Runs the steps in order and returns the first answer with the name of the step that gave it.
 * @throws Error when every step passes (a chain must end with `popularityStep`)
 */
export async function firstCandidates(steps: readonly CandidateStep[], req: CandidateRequest): Promise<Ranked & { source: SlateSource }> {
  for (const step of steps) {
    const answer = await step.candidates(req);
    if (answer) return { source: step.source, ...answer };
  }
  throw new Error('scorer chain ended without an answer');
}
