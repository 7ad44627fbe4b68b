import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { bundleWorker } from '../local/bundle-worker.js';

/**
 * `npx tsx bench/edge-pieces.ts`: µs per call of the pure pieces of a cache-path slate (query
 * parse, exploration, token, log line, the consumer's check), timed inside workerd. They explain
 * part of the edge bench's CPU per request; the rest is the runtime's request and I/O work.
 */
export async function runEdgePieces(n = 5000): Promise<Record<string, number>> {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  const mf = new Miniflare({ modules: await bundleWorker(fileURLToPath(new URL('./edge-pieces-worker.ts', import.meta.url))), modulesRoot: '/', compatibilityDate: '2026-04-20', cf: false });
  try {
    const r = await mf.dispatchFetch(`http://pieces/?n=${n}`);
    if (!r.ok) throw new Error(`edge-pieces worker answered ${r.status}: ${await r.text()}`);
    return (await r.json()) as Record<string, number>;
  } finally {
    await mf.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [piece, us] of Object.entries(await runEdgePieces())) console.log(`${piece.padEnd(36)} ${us.toFixed(1).padStart(6)} µs`);
}
