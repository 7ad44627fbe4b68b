import { describe, expect, it } from 'vitest';
// In workerd the .wasm arrives precompiled through the module graph (wrangler's CompiledWasm
// rule), exactly as the worker bundles it; Workers refuse to compile fetched bytes.
import mod from '../../shared/scoring/scorer.wasm';
import { WasmScorer } from '../../shared/scoring/wasm-scorer.js';
import { CHECK_CASES, checkAgainstReference } from '../support/scorer-check.js';
import { rngFor } from '../support/scorer-data.js';

describe('WASM scorer inside workerd: kernel top-N equals the TypeScript reference', () => {
  const scorer = new WasmScorer(mod);
  it.each(CHECK_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    expect(await checkAgainstReference(scorer, c)).toEqual([]);
  });
});

/** Seeded bytes produced chunk by chunk, so no JS-side copy of the matrix ever exists. */
function seededStream(bytes: number, seed: number, make: (rng: () => number, out: Uint8Array) => void): ReadableStream<Uint8Array> {
  const rng = rngFor(seed);
  const next = () => rng.next();
  let left = bytes;
  return new ReadableStream({
    pull(ctl) {
      const chunk = new Uint8Array(Math.min(1 << 20, left));
      make(next, chunk);
      ctl.enqueue(chunk);
      left -= chunk.length;
      if (left === 0) ctl.close();
    },
  });
}

describe('WASM scorer inside workerd: 1M x 64 int8', () => {
  it('streams in with room to spare under the 128 MB isolate limit and answers a query', async () => {
    const rows = 1_000_000;
    const dims = 64;
    const scorer = new WasmScorer(mod);
    const matrix = seededStream(rows * dims, 1, (rng, out) => {
      for (let i = 0; i < out.length; i++) out[i] = (Math.floor(rng() * 255) - 127) & 0xff;
    });
    const scales = seededStream(rows * 4, 2, (rng, out) => {
      const f = new Float32Array(out.buffer);
      for (let i = 0; i < f.length; i++) f[i] = (0.5 + rng()) / 127;
    });
    await scorer.load({ version: 'big', format: 'i8', rows, dims }, { matrix, scales });
    expect(scorer.memoryBytes).toBeLessThan(70 * 2 ** 20); // 64 MB codes + 4 MB scales + 125 KB bitmap
    const query = scorer.meanOfRows([10, 20, 30], { version: 'big' }); // as the edge builds it from recent items
    expect(query.length).toBe(dims);
    const top = scorer.score(query, 500, { version: 'big', exclude: [0, 1, 2] });
    expect(top.indices.length).toBe(500);
    for (let k = 1; k < 500; k++) expect(top.scores[k]!).toBeLessThanOrEqual(top.scores[k - 1]!);
    expect([...top.indices]).not.toContain(0);
    expect(top.indices).toContain(10); // a row scores high against a mean it is part of
  });
});
