import { R2Store } from '../edge/store/r2-store.js';
import { startMiniflareEdge } from '../local/miniflare-edge.js';
import { publishFixture } from '../test/support/fixture-artifact.js';
import { closedLoop, type LoadResult } from './load.js';

export interface EdgeBenchResult {
  connections: number;
  seconds_per_trial: number;
  trivial: LoadResult;
  slate_cache: LoadResult;
  slate_popularity: LoadResult;
  /** POST with recent items for users without cached candidates: the wasm scorer over the matrix. */
  slate_wasm: LoadResult;
  /** slate_cache.rps / trivial.rps, measured alternately in the same run. */
  cache_vs_trivial: number;
  popularity_vs_trivial: number;
}

/**
 * `GET /v1/slate` (cached candidates, and the popularity fallback) against `GET /ping` of the
 * same worker in workerd (Miniflare, no dev proxy), at the same concurrency, alternating trials
 * so drift on a shared machine hits both sides alike.
 */
export async function runEdgeBench(opts: { connections?: number; seconds?: number; trials?: number } = {}): Promise<EdgeBenchResult> {
  const connections = opts.connections ?? 64;
  const seconds = opts.seconds ?? 5;
  const trials = opts.trials ?? 2;
  const salt = 'bench-user-salt-0123456789';
  const edge = await startMiniflareEdge({ bindings: { TOKEN_SECRET: 'bench-token-secret-0123456789', USER_SALT: salt }, quiet: true });
  try {
    const users = Array.from({ length: 1000 }, (_, i) => `u${i}`);
    const bucket = await edge.mf.getR2Bucket('BUCKET');
    await publishFixture(new R2Store(bucket as unknown as R2Bucket), {
      salt,
      items: 2000,
      shards: 16,
      users: Object.fromEntries(users.map((u, j) => [u, Array.from({ length: 60 }, (_, i) => `item-${(i * 31 + j) % 2000}`)])),
      pool: Array.from({ length: 100 }, (_, i) => `item-${1900 + i}`),
      matrix: { dims: 64, values: Float32Array.from({ length: 2000 * 64 }, (_, i) => Math.sin(i * 12.9898) ) },
    });
    const base = edge.url.toString().replace(/\/$/, '');
    const cacheCheck = (_r: Response, body: string) => body.includes('"source":"cache"');
    const runs = { trivial: [] as LoadResult[], cache: [] as LoadResult[], pop: [] as LoadResult[], wasm: [] as LoadResult[] };
    const wasmCheck = (_r: Response, body: string) => body.includes('"source":"wasm"');
    const wasmRequest = (i: number) => ({
      url: `${base}/v1/slate`,
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: `anon${i}`, k: 10, context: { recent_item_ids: [`item-${i % 2000}`, `item-${(i * 7) % 2000}`] } }) },
    });
    // Warm up: loads the artifact and every shard once.
    await closedLoop((i) => ({ url: `${base}/v1/slate?user_id=u${i % 1000}&k=10` }), { connections, seconds: 2 });
    for (let t = 0; t < trials; t++) {
      runs.trivial.push(await closedLoop(() => ({ url: `${base}/ping` }), { connections, seconds }));
      runs.cache.push(await closedLoop((i) => ({ url: `${base}/v1/slate?user_id=u${i % 1000}&k=10` }), { connections, seconds, check: cacheCheck }));
      runs.pop.push(await closedLoop((i) => ({ url: `${base}/v1/slate?user_id=anon${i}&k=10` }), { connections, seconds }));
      runs.wasm.push(await closedLoop(wasmRequest, { connections, seconds, check: wasmCheck }));
    }
    const merge = (rs: LoadResult[]): LoadResult => ({
      requests: rs.reduce((a, r) => a + r.requests, 0),
      errors: rs.reduce((a, r) => a + r.errors, 0),
      seconds: rs.reduce((a, r) => a + r.seconds, 0),
      rps: rs.reduce((a, r) => a + r.requests, 0) / rs.reduce((a, r) => a + r.seconds, 0),
      p50_ms: median(rs.map((r) => r.p50_ms)),
      p99_ms: median(rs.map((r) => r.p99_ms)),
    });
    const trivial = merge(runs.trivial);
    const slate_cache = merge(runs.cache);
    const slate_popularity = merge(runs.pop);
    const slate_wasm = merge(runs.wasm);
    return { connections, seconds_per_trial: seconds, trivial, slate_cache, slate_popularity, slate_wasm, cache_vs_trivial: slate_cache.rps / trivial.rps, popularity_vs_trivial: slate_popularity.rps / trivial.rps };
  } finally {
    await edge.stop();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runEdgeBench();
  const row = (name: string, x: LoadResult) => `${name.padEnd(22)} ${x.rps.toFixed(0).padStart(8)} req/s  p50 ${x.p50_ms.toFixed(2).padStart(7)} ms  p99 ${x.p99_ms.toFixed(2).padStart(7)} ms  errors ${x.errors}`;
  console.log(`edge, ${r.connections} connections, Miniflare/workerd`);
  console.log(row('GET /ping (trivial)', r.trivial));
  console.log(row('GET /v1/slate cache', r.slate_cache));
  console.log(row('GET /v1/slate popular', r.slate_popularity));
  console.log(row('POST /v1/slate wasm', r.slate_wasm));
  console.log(`cache path / trivial = ${r.cache_vs_trivial.toFixed(3)}  (goal ≥ 0.85)`);
  console.log(`popularity / trivial = ${r.popularity_vs_trivial.toFixed(3)}`);
}
