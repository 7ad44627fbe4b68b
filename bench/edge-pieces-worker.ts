/**
 * Run inside workerd by bench/edge-pieces.ts: times the pure pieces of a cache-path slate one at a
 * time, in a loop of `n` calls each, with workerd's own clock (it moves in whole milliseconds, so
 * n is large). Answers { piece: µs per call }.
 */
import { signToken } from '../shared/crypto/token.js';
import { sampleSlate } from '../shared/explore/index.js';
import { rngForImpression } from '../shared/rng.js';
import { ImpressionRecord } from '../shared/schemas/impression.js';
import { decodeLogMessage, encodeLogLine } from '../shared/schemas/queue.js';
import { SlateQuery } from '../shared/schemas/slate.js';

export default {
  async fetch(req: Request): Promise<Response> {
    const n = Number(new URL(req.url).searchParams.get('n') ?? 5000);
    const out: Record<string, number> = {};
    const time = async (name: string, f: (i: number) => unknown) => {
      for (let i = 0; i < n / 10; i++) await f(i);
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await f(i);
      out[name] = ((performance.now() - t0) / n) * 1000;
    };
    // The shape of the edge bench's cache path: 60 ranked candidates, a pool of 100, k = 10.
    const ranked = Array.from({ length: 60 }, (_, i) => ({ item: `item-${(i * 31) % 2000}`, score: 1 - i / 60 }));
    const pool = Array.from({ length: 100 }, (_, i) => `item-${1900 + i}`);
    const strategy = { name: 'epsilon-greedy', epsilon: 0.2 } as const;
    const input = { ranked, pool, k: 10, exclude: new Set<string>(), history_length: 0, generation: 0 };
    const slate = sampleSlate(strategy, input, rngForImpression('pieces'));
    const record = ImpressionRecord.parse({
      schema: 'impression/v1',
      impression_id: crypto.randomUUID(),
      ts: Date.now(),
      user_key: '0123456789abcdef0123456789abcdef',
      surface: 'home',
      policy_version: 'v20261122T211048Z-f1f1f1',
      strategy,
      propensity_type: slate.propensity_type,
      propensity_method: 'exact',
      source: 'cache',
      k: 10,
      items: slate.items,
      slate_propensity: slate.slate_propensity,
      context: { recent_item_ids: [], exclude_item_ids: [], locale: null },
    });
    const line = encodeLogLine(record);
    const secret = 'bench-token-secret-0123456789';
    const items = slate.items.map((s) => s.item_id);
    await time('query parse (zod)', (i) => SlateQuery.safeParse({ user_id: `u${i}`, k: '10' }));
    await time('exploration (sampleSlate)', (i) => sampleSlate(strategy, input, rngForImpression(`imp-${i}`)));
    await time('token (signToken)', (i) => signToken(secret, { iid: `imp-${i}`, uk: record.user_key, it: items, pv: record.policy_version, exp: 1_800_000_000 }));
    await time('log line (encodeLogLine)', () => encodeLogLine(record));
    await time('consumer check (decodeLogMessage)', () => decodeLogMessage(line));
    return Response.json(out);
  },
};
