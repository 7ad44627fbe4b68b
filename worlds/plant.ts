import { ItemsFile, Policy, UserSlateShard } from '../shared/schemas/artifact.js';

/** How a planted candidate is made worse (`--plant-kind`). */
export const PLANT_KINDS = ['worst-first', 'reversed'] as const;
export type PlantKind = (typeof PLANT_KINDS)[number];

/** The planted copy of a candidate's files of the given kind. */
export function plantedCandidate(kind: PlantKind, files: Readonly<Record<string, Uint8Array>>, k: number): Record<string, Uint8Array> {
  return kind === 'worst-first' ? worstFirstCandidate(files) : reversedTopCandidate(files, k);
}

/**
 * A deliberately worse candidate for the deploy gate's confusion table: the candidate's own files
 * with every ranking replaced by the items the candidate ranks last — the catalog items missing
 * from its popularity list (which holds its best by posterior mean), then that list from the
 * bottom up. Every user's cached candidates and the popularity fallback become this list, with
 * the original scores kept in descending order, so the files stay valid and the edge would serve
 * them as they are. The exploration pool, strategy and epsilon are the candidate's own, so the
 * planted version explores exactly as much as the real one and only its exploitation is bad.
 * @param files a candidate's files (relative name → bytes), as the gate receives them
 * @returns new files; the input is not modified
 */
export function worstFirstCandidate(files: Readonly<Record<string, Uint8Array>>): Record<string, Uint8Array> {
  const policy = Policy.parse(readJson(files, 'policy.json'));
  const catalog = files['items.json'] ? ItemsFile.parse(readJson(files, 'items.json')).ids : [];
  const best = new Set(policy.popularity.map((p) => p.item));
  const worst = [...catalog.filter((id) => !best.has(id)), ...policy.popularity.map((p) => p.item).reverse()];
  return withRankings(files, (items) => worst.slice(0, items.length));
}

/**
 * A mildly worse candidate: the candidate's own files with the first `k` items of every ranking
 * (each user's cached candidates and the popularity fallback) in reverse order, scores kept in
 * descending order. The same items reach the slate, the weakest of them on top: where reading
 * falls down the slate this costs a share of the value (how much depends on the world's click
 * model and how different the top k are), the kind of harm a gate must catch and a worst-first
 * copy, 90%+ worse, does not test.
 */
export function reversedTopCandidate(files: Readonly<Record<string, Uint8Array>>, k: number): Record<string, Uint8Array> {
  return withRankings(files, (items) => [...items.slice(0, k).reverse(), ...items.slice(k)]);
}

/**
 * A candidate's files with every ranking — each user's cached candidates and the popularity
 * fallback — replaced by `rerank` of it (same length), scores left where they were (so still
 * descending): valid files the edge would serve as they are. Everything else is the candidate's.
 */
function withRankings(files: Readonly<Record<string, Uint8Array>>, rerank: (items: readonly string[]) => string[]): Record<string, Uint8Array> {
  const enc = new TextEncoder();
  const policy = Policy.parse(readJson(files, 'policy.json'));
  const out: Record<string, Uint8Array> = { ...files };
  const order = rerank(policy.popularity.map((p) => p.item));
  out['policy.json'] = enc.encode(JSON.stringify({ ...policy, popularity: policy.popularity.map((p, i) => ({ item: order[i]!, score: p.score })) }));
  for (const name of Object.keys(files)) {
    if (!name.startsWith('user-slates/')) continue;
    const s = UserSlateShard.parse(readJson(files, name));
    out[name] = enc.encode(JSON.stringify({ ...s, users: Object.fromEntries(Object.entries(s.users).map(([uk, u]) => [uk, { ...u, items: rerank(u.items) }])) }));
  }
  return out;
}

function readJson(files: Readonly<Record<string, Uint8Array>>, name: string): unknown {
  return JSON.parse(new TextDecoder().decode(files[name]!));
}
