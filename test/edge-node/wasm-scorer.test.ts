import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScorerNotReadyError, WasmScorer } from '../../shared/scoring/wasm-scorer.js';
import { dequantizeRows, quantizeRows } from '../../shared/scoring/quantize.js';
import { meanOfRowsF32, topNF32, topNI8 } from '../../shared/scoring/top-n.js';
import { CHECK_CASES, checkAgainstReference } from '../support/scorer-check.js';
import { randomInt8, randomMatrix, randomQuery } from '../support/scorer-data.js';

// Node gets the module from the bytes; workerd from `import mod from '….wasm'` (test/edge/wasm-scorer.test.ts).
const mod = new WebAssembly.Module(readFileSync(new URL('../../shared/scoring/scorer.wasm', import.meta.url)));

describe('WASM scorer in Node: kernel top-N equals the TypeScript reference', () => {
  const scorer = new WasmScorer(mod);
  it.each(CHECK_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    expect(await checkAgainstReference(scorer, c)).toEqual([]);
  });
});

describe('WASM scorer boundary', () => {
  it('refuses queries until a matrix is loaded, and for another version', async () => {
    const s = new WasmScorer(mod);
    expect(() => s.score(new Float32Array(4), 1)).toThrow(ScorerNotReadyError);
    await s.load({ version: 'v1', format: 'f32', rows: 2, dims: 4 }, { matrix: new Float32Array(8) });
    expect(s.score(new Float32Array(4), 1, { version: 'v1' }).indices.length).toBe(1);
    expect(() => s.score(new Float32Array(4), 1, { version: 'v2' })).toThrow(new ScorerNotReadyError('loaded version v1, asked for v2'));
  });

  it('streams chunks straight into memory, reloads a bigger version and reuses memory for a smaller one', async () => {
    const s = new WasmScorer(mod);
    const dims = 32;
    const small = randomInt8(100, dims, 1);
    await s.load({ version: 'a', format: 'i8', rows: 100, dims }, { matrix: small.q, scales: small.scale });
    const before = s.memoryBytes;
    const big = randomInt8(50_000, dims, 2);
    const stream = new ReadableStream<Uint8Array>({
      start(ctl) {
        const bytes = new Uint8Array(big.q.buffer);
        for (let o = 0; o < bytes.length; o += 65_537) ctl.enqueue(bytes.slice(o, o + 65_537)); // odd chunk size on purpose
        ctl.close();
      },
    });
    await s.load({ version: 'b', format: 'i8', rows: 50_000, dims }, { matrix: stream, scales: big.scale });
    expect(s.memoryBytes).toBeGreaterThan(before);
    const q = randomQuery(dims, 3);
    expect(s.score(q, 50)).toEqual(topNI8(big.q, big.scale, dims, q, 50));
    const grown = s.memoryBytes;
    await s.load({ version: 'c', format: 'i8', rows: 100, dims }, { matrix: small.q, scales: small.scale });
    expect(s.memoryBytes).toBe(grown);
    expect(s.score(q, 10)).toEqual(topNI8(small.q, small.scale, dims, q, 10));
  });

  it('clears exclusions after each query, even when the query throws', async () => {
    const s = new WasmScorer(mod);
    const m = randomMatrix(64, 8, 4);
    const q = randomQuery(8, 4);
    await s.load({ version: 'v', format: 'f32', rows: 64, dims: 8 }, { matrix: m });
    const all = s.score(q, 64);
    expect([...s.score(q, 3, { exclude: [all.indices[0]!] }).indices]).toEqual([...all.indices.slice(1, 4)]);
    expect(() => s.score(q, 3, { exclude: [all.indices[0]!, 64] })).toThrow(new RangeError('excluded row 64 is not in [0, 64)'));
    expect(s.score(q, 64)).toEqual(all);
    expect(s.score(q, 0).indices.length).toBe(0);
  });

  it('lets a later load supersede an unfinished one', async () => {
    const s = new WasmScorer(mod);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const m1 = randomMatrix(10, 4, 5);
    const slow = (async function* () {
      await gate;
      yield new Uint8Array(m1.buffer);
    })();
    const first = s.load({ version: 'old', format: 'f32', rows: 10, dims: 4 }, { matrix: slow });
    const m2 = randomMatrix(10, 4, 6);
    await s.load({ version: 'new', format: 'f32', rows: 10, dims: 4 }, { matrix: m2 });
    release();
    await first;
    expect(s.spec?.version).toBe('new');
    const q = randomQuery(4, 6);
    expect(s.score(q, 10)).toEqual(topNF32(m2, 4, q, 10));
  });

  it('averages rows read in place: the query of a user known by recent items', async () => {
    const s = new WasmScorer(mod);
    const dims = 16;
    const x = randomMatrix(500, dims, 8);
    const recent = [7, 499, 0, 7];
    await s.load({ version: 'f', format: 'f32', rows: 500, dims }, { matrix: x });
    expect(s.meanOfRows(recent)).toEqual(meanOfRowsF32(x, dims, recent));
    const qm = quantizeRows(x, dims);
    await s.load({ version: 'i', format: 'i8', rows: 500, dims }, { matrix: qm.q, scales: qm.scale });
    // int8 rows are averaged as dequantizeRows gives them, so a test can rebuild the query from it
    expect(s.meanOfRows(recent, { version: 'i' })).toEqual(meanOfRowsF32(dequantizeRows(qm, dims), dims, recent));
    expect(() => s.meanOfRows([])).toThrow(new RangeError('no rows to average'));
    expect(() => s.meanOfRows([500])).toThrow(new RangeError('row 500 is not in [0, 500)'));
    expect(() => s.meanOfRows([1], { version: 'f' })).toThrow(ScorerNotReadyError);
  });

  it('refuses a non-finite query', async () => {
    const s = new WasmScorer(mod);
    await s.load({ version: 'v', format: 'f32', rows: 1, dims: 2 }, { matrix: new Float32Array(2) });
    expect(() => s.score(Float32Array.from([0, Infinity]), 1)).toThrow(new RangeError('query coordinate 1 is not finite'));
  });

  const invalid: [string, () => Promise<unknown>, string][] = [
    ['unknown format', () => new WasmScorer(mod).load({ version: 'v', format: 'f16' as 'f32', rows: 1, dims: 1 }, { matrix: new Uint8Array(2) }), 'format must be f32 or i8, got f16'],
    ['short matrix', () => new WasmScorer(mod).load({ version: 'v', format: 'f32', rows: 2, dims: 2 }, { matrix: new Float32Array(3) }), 'matrix has 12 bytes, its spec implies 16'],
    ['long matrix', () => new WasmScorer(mod).load({ version: 'v', format: 'f32', rows: 1, dims: 2 }, { matrix: new Float32Array(3) }), 'matrix has more than the 8 bytes its spec implies'],
    ['int8 without scales', () => new WasmScorer(mod).load({ version: 'v', format: 'i8', rows: 1, dims: 2 }, { matrix: new Int8Array(2) }), 'scales are required for int8 and only for int8 (format i8)'],
    ['f32 with scales', () => new WasmScorer(mod).load({ version: 'v', format: 'f32', rows: 1, dims: 2 }, { matrix: new Float32Array(2), scales: new Float32Array(1) }), 'scales are required for int8 and only for int8 (format f32)'],
    ['int8 too wide', () => new WasmScorer(mod).load({ version: 'v', format: 'i8', rows: 1, dims: 513 }, { matrix: new Int8Array(513), scales: new Float32Array(1) }), 'int8 rows must have at most 512 dims, got 513'],
  ];
  it.each(invalid)('load throws on %s', async (_, call, message) => {
    await expect(call()).rejects.toThrow(new RangeError(message));
  });
});
