/**
 * The one WASM memory boundary: everything that touches scorer.wasm's linear memory lives here.
 * The module comes in as a `WebAssembly.Module` (in workerd from `import mod from './scorer.wasm'`,
 * since Workers refuse to compile fetched bytes; in Node from
 * `new WebAssembly.Module(readFileSync(...))`), so the edge and the batch tier's OPE run the same
 * kernel through the same code (hence it lives in shared/).
 *
 * Lifecycle: one instance per isolate (the edge's `IsolateMatrix`); the item matrix is copied (or streamed)
 * into linear memory once per artifact version, with no JS-side copy kept; each query copies
 * the query in and ≤ 500 results out. Linear memory only grows, so a new version reuses it.
 *
 * Layout above the kernel's static data, 16-byte aligned:
 *   query (dims × 4) | heap (N_MAX × 8) | out (N_MAX × 8) | exclusion bitmap (rows / 8)
 *   | scales (rows × 4, int8 only) | matrix (rows × dims × 1 or 4)
 * For 1M × 64 int8 that is 64 MB + 4 MB + 125 KB, inside the 128 MB isolate limit.
 */
import { I8_DIMS_MAX, TOP_N_MAX, checkTopNArgs, meanOfRowsF32, meanOfRowsI8, quantizeQuery, type TopN } from './top-n.js';

export type { TopN };
export { TOP_N_MAX };

/** Item matrix formats of the artifact: `items.f32`, or `items.i8` + `items.scale.f32`. */
export type MatrixFormat = 'f32' | 'i8';

/** What is loaded: the artifact version and the matrix shape. */
export interface MatrixSpec {
  version: string;
  format: MatrixFormat;
  rows: number;
  dims: number;
}

/** Bytes of one part: whole (ArrayBuffer or view) or as a stream of chunks (an R2 object body). */
export type MatrixBytes = ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Matrix bytes, row-major little-endian; `scales` (one float32 per row) only for int8. */
export interface MatrixParts {
  matrix: MatrixBytes;
  scales?: MatrixBytes;
}

/** Options of one query. */
export interface ScoreOptions {
  /** Row indices never to return (e.g. the user's recent items). */
  exclude?: Iterable<number>;
  /** Refuse to answer unless this artifact version is the one loaded. */
  version?: string;
}

/**
 * Thrown by {@link WasmScorer.score} when no matrix (or not the asked version) is loaded, as
 * while a newer version's matrix loads over it. The edge's wasm step turns it into "pass to the
 * next step" of the scorer chain (edge/candidates/wasm-step.ts), never into an error response.
 */
export class ScorerNotReadyError extends Error {
  override readonly name = 'ScorerNotReadyError';
}

interface Kernel {
  memory: WebAssembly.Memory;
  heapBase(): number;
  topF32(mat: number, rows: number, dims: number, q: number, cap: number, excl: number, heap: number, out: number): number;
  topI8(mat: number, scales: number, rows: number, dims: number, q: number, qscale: number, cap: number, excl: number, heap: number, out: number): number;
  readProbe(p: number, bytes: number): number;
}

interface Layout {
  query: number;
  heap: number;
  out: number;
  excl: number;
  scales: number;
  matrix: number;
  end: number;
}

const PAGE = 65536;
const align16 = (x: number) => (x + 15) & ~15;

/** Scores queries against one item matrix held in a wasm instance's memory. */
export class WasmScorer {
  readonly #k: Kernel;
  #spec: MatrixSpec | null = null;
  #layout: Layout | null = null;
  #loading = 0;

  /** @param module the compiled scorer.wasm; instantiated here, synchronously. */
  constructor(module: WebAssembly.Module) {
    this.#k = new WebAssembly.Instance(module, {}).exports as unknown as Kernel;
  }

  /** The loaded matrix, or null before the first load finishes (or while a new one loads). */
  get spec(): MatrixSpec | null {
    return this.#spec;
  }

  /** Size of the instance's linear memory; it never shrinks. */
  get memoryBytes(): number {
    return this.#k.memory.buffer.byteLength;
  }

  /**
   * Copies (or streams) an item matrix into linear memory, replacing the loaded one. Queries
   * throw {@link ScorerNotReadyError} until it finishes; a later load supersedes an unfinished one.
   * @throws RangeError when the spec is invalid or the bytes do not match it
   */
  async load(spec: MatrixSpec, parts: MatrixParts): Promise<void> {
    const token = ++this.#loading;
    this.#spec = null;
    if (spec.format !== 'f32' && spec.format !== 'i8') throw new RangeError(`format must be f32 or i8, got ${String(spec.format)}`);
    checkTopNArgs(spec.rows, spec.dims, spec.dims, 0);
    if (spec.format === 'i8' && spec.dims > I8_DIMS_MAX) throw new RangeError(`int8 rows must have at most ${I8_DIMS_MAX} dims, got ${spec.dims}`);
    if ((spec.format === 'i8') !== (parts.scales !== undefined)) throw new RangeError(`scales are required for int8 and only for int8 (format ${spec.format})`);
    const layout = this.#reserve(spec);
    new Uint8Array(this.#k.memory.buffer, layout.excl, layout.scales - layout.excl).fill(0);
    const rowBytes = spec.format === 'i8' ? 1 : 4;
    await this.#write(parts.matrix, layout.matrix, spec.rows * spec.dims * rowBytes, 'matrix', token);
    if (parts.scales) await this.#write(parts.scales, layout.scales, spec.rows * 4, 'scales', token);
    if (token !== this.#loading) return;
    this.#layout = layout;
    this.#spec = { ...spec };
  }

  /**
   * Top-n rows by dot(query, row), best first; ties keep the lower row index; rows scoring NaN
   * or −∞ and excluded rows are never returned (see shared/scoring/top-n.ts for the exact maths).
   * @param query dims float32 values @param n 0..{@link TOP_N_MAX}
   * @throws ScorerNotReadyError when nothing (or another version) is loaded
   * @throws RangeError on a wrong query length, n, or an excluded index outside the matrix
   */
  score(query: Float32Array, n: number, options: ScoreOptions = {}): TopN {
    const { spec, layout: L } = this.#ready(options.version);
    checkTopNArgs(spec.rows, spec.dims, query.length, n);
    // int8 checks this while quantising; f32 would silently score NaN everywhere.
    if (spec.format === 'f32') {
      for (let i = 0; i < query.length; i++) if (!Number.isFinite(query[i]!)) throw new RangeError(`query coordinate ${i} is not finite`);
    }
    if (n === 0) return { indices: new Uint32Array(0), scores: new Float32Array(0) };
    const buf = this.#k.memory.buffer;
    const bits = new Uint8Array(buf, L.excl, L.scales - L.excl);
    const set: number[] = [];
    try {
      for (const e of options.exclude ?? []) {
        if (!Number.isInteger(e) || e < 0 || e >= spec.rows) throw new RangeError(`excluded row ${e} is not in [0, ${spec.rows})`);
        bits[e >> 3]! |= 1 << (e & 7);
        set.push(e);
      }
      let count: number;
      if (spec.format === 'f32') {
        new Float32Array(buf, L.query, spec.dims).set(query);
        count = this.#k.topF32(L.matrix, spec.rows, spec.dims, L.query, n, L.excl, L.heap, L.out);
      } else {
        const qq = quantizeQuery(query);
        new Int16Array(buf, L.query, spec.dims).set(qq.q);
        count = this.#k.topI8(L.matrix, L.scales, spec.rows, spec.dims, L.query, qq.scale, n, L.excl, L.heap, L.out);
      }
      return readOut(buf, L.out, n, count);
    } finally {
      for (const e of set) bits[e >> 3]! &= ~(1 << (e & 7));
    }
  }

  /**
   * Mean of some rows of the loaded matrix (int8 rows dequantised), read in place: the query of a
   * user known only by recent items, since no JS-side copy of the matrix exists to read them from.
   * Same arithmetic as meanOfRowsF32 / meanOfRowsI8 in shared/scoring/top-n.ts.
   * @throws ScorerNotReadyError when nothing (or another version) is loaded
   * @throws RangeError when rows is empty or holds an index outside the matrix
   */
  meanOfRows(rows: readonly number[], options: { version?: string } = {}): Float32Array {
    const { spec, layout: L } = this.#ready(options.version);
    const buf = this.#k.memory.buffer;
    const cells = spec.rows * spec.dims;
    if (spec.format === 'f32') return meanOfRowsF32(new Float32Array(buf, L.matrix, cells), spec.dims, rows);
    return meanOfRowsI8(new Int8Array(buf, L.matrix, cells), new Float32Array(buf, L.scales, spec.rows), spec.dims, rows);
  }

  #ready(version: string | undefined): { spec: MatrixSpec; layout: Layout } {
    const spec = this.#spec;
    const layout = this.#layout;
    if (!spec || !layout) throw new ScorerNotReadyError('no item matrix loaded');
    if (version !== undefined && version !== spec.version) throw new ScorerNotReadyError(`loaded version ${spec.version}, asked for ${version}`);
    return { spec, layout };
  }

  /** Lays the regions out for `spec` and grows memory to hold them, once, before any copy. */
  #reserve(spec: MatrixSpec): Layout {
    const base = align16(this.#k.heapBase());
    const query = base;
    const heap = query + align16(spec.dims * 4);
    const out = heap + TOP_N_MAX * 8;
    const excl = out + TOP_N_MAX * 8;
    const scales = excl + align16(Math.ceil(spec.rows / 8));
    const matrix = scales + (spec.format === 'i8' ? align16(spec.rows * 4) : 0);
    const end = matrix + spec.rows * spec.dims * (spec.format === 'i8' ? 1 : 4);
    const have = this.#k.memory.buffer.byteLength;
    if (end > have) this.#k.memory.grow(Math.ceil((end - have) / PAGE));
    return { query, heap, out, excl, scales, matrix, end };
  }

  /** Copies one part into memory at `at`, chunk by chunk when streamed, checking its length. */
  async #write(src: MatrixBytes, at: number, bytes: number, what: string, token: number): Promise<void> {
    let off = 0;
    const put = (chunk: Uint8Array) => {
      if (token !== this.#loading) return; // superseded: the newer load owns the memory now
      if (off + chunk.byteLength > bytes) throw new RangeError(`${what} has more than the ${bytes} bytes its spec implies`);
      new Uint8Array(this.#k.memory.buffer, at + off, chunk.byteLength).set(chunk);
      off += chunk.byteLength;
    };
    if (src instanceof ArrayBuffer) put(new Uint8Array(src));
    else if (ArrayBuffer.isView(src)) put(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
    else {
      for await (const chunk of chunks(src)) {
        if (token !== this.#loading) return;
        put(chunk);
      }
    }
    if (off !== bytes && token === this.#loading) throw new RangeError(`${what} has ${off} bytes, its spec implies ${bytes}`);
  }

  /**
   * Streams `bytes` of linear memory through v128 loads (the benchmark's memory-read baseline).
   * Grows memory as needed; the region is scratch above any loaded matrix.
   * @returns seconds taken
   */
  readProbe(bytes: number, now: () => number): number {
    const start = align16(this.#layout?.end ?? this.#k.heapBase());
    const end = start + bytes;
    const have = this.#k.memory.buffer.byteLength;
    if (end > have) this.#k.memory.grow(Math.ceil((end - have) / PAGE));
    new Uint8Array(this.#k.memory.buffer, start, bytes).fill(1);
    const t0 = now();
    this.#k.readProbe(start, bytes & ~63);
    return (now() - t0) / 1000;
  }
}

function readOut(buf: ArrayBuffer, out: number, cap: number, count: number): TopN {
  return {
    indices: new Uint32Array(buf, out, count).slice(),
    scores: new Float32Array(buf, out + cap * 4, count).slice(),
  };
}

async function* chunks(src: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  if (Symbol.asyncIterator in src) {
    yield* src as AsyncIterable<Uint8Array>;
    return;
  }
  const reader = (src as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
