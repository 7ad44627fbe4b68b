/**
 * The heavy steps per tfjs backend: `npx tsx bench/device.ts [--backends wasm,webgpu]
 * [--samples 1000000,10000000] [--users 100000] [--items 50000] [--cg-users N] [--out FILE]`.
 *
 * - training: samples/s of one epoch of `trainMf` (autograd, row-sparse Adagrad) on synthetic pairs
 *   over users × items, for each sample count;
 * - candidate generation: users/s of `topKForUsers` (k = 50) over users × items random embeddings;
 *   `--cg-users` ranks only the first N users (a rate; the wasm backend needs minutes for 100k ×
 *   50k), and `--baseline` also times main's loop before this change (JS row copies and a
 *   synchronous read per chunk, `baselineTopK`) on the same backend.
 *
 * Prints one JSON object (and writes it to `--out`). bench/gpu.sh runs this on a GPU host.
 */
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { BackendChoice } from '../gpu-batch/config/config.js';
import type { TrainingPairs } from '../gpu-batch/dataset/read-dataset.js';
import { selectBackend } from '../gpu-batch/train/backend.js';
import { normalArray, trainingRng } from '../gpu-batch/train/init.js';
import { trainMf, type MfParams } from '../gpu-batch/train/mf-model.js';
import { topKForUsers } from '../gpu-batch/train/top-k.js';

export interface DeviceBenchOptions {
  backends: BackendChoice[];
  samples: number[];
  users: number;
  items: number;
  dims?: number;
  batchSize?: number;
  /** Users ranked in the candidate-generation probe (default all). */
  cgUsers?: number;
  k?: number;
  baseline?: boolean;
}

function syntheticPairs(n: number, users: number, items: number): TrainingPairs {
  const rng = trainingRng(1, 1);
  const user = new Int32Array(n), item = new Int32Array(n), y = new Float32Array(n), w = new Float32Array(n).fill(1);
  for (let j = 0; j < n; j++) {
    user[j] = Math.floor(rng.next() * users);
    item[j] = Math.floor(rng.next() * items);
    y[j] = rng.next() < 0.2 ? 1 : 0;
  }
  return { user, item, y, w, positives: 0, keepNegatives: 1 };
}

function randomParams(users: number, items: number, dims: number): MfParams {
  const rng = trainingRng(2, 2);
  return { dims, user: normalArray(rng, users * dims, 0.3), item: normalArray(rng, items * dims, 0.3), bias: normalArray(rng, items, 0.1), globalBias: -2 };
}

/**
 * main's candidate generation before this change, kept as the reference the ratio is taken against:
 * user rows copied in JS per chunk, the item matrix uploaded per call, a synchronous read per chunk.
 */
export function baselineTopK(params: MfParams, users: ArrayLike<number>, k: number, chunk = 1024): Int32Array {
  const d = params.dims;
  const nItems = params.bias.length;
  const out = new Int32Array(users.length * k);
  const V = tf.tensor2d(params.item, [nItems, d]);
  const b = tf.tidy(() => tf.add(tf.tensor1d(params.bias), params.globalBias));
  try {
    for (let s = 0; s < users.length; s += chunk) {
      const e = Math.min(users.length, s + chunk);
      const rows = new Float32Array((e - s) * d);
      for (let j = s; j < e; j++) rows.set(params.user.subarray(users[j]! * d, users[j]! * d + d), (j - s) * d);
      out.set(tf.tidy(() => tf.topk(tf.add(tf.matMul(tf.tensor2d(rows, [e - s, d]), V, false, true), b), k).indices.dataSync() as Int32Array), s * k);
    }
  } finally {
    tf.dispose([V, b]);
  }
  return out;
}

/** Runs the benchmark; see the file comment. */
export async function benchDevice(o: DeviceBenchOptions): Promise<Record<string, unknown>> {
  const dims = o.dims ?? 32;
  const k = o.k ?? 50;
  const out: Record<string, unknown> = { users: o.users, items: o.items, dims, k, batch_size: o.batchSize ?? 8192, cores: availableParallelism(), node: process.version, backends: {} };
  const params = randomParams(o.users, o.items, dims);
  const cgUsers = Math.min(o.users, o.cgUsers ?? o.users);
  const rows = Int32Array.from({ length: cgUsers }, (_, u) => u);
  for (const b of o.backends) {
    const r: Record<string, unknown> = {};
    (out.backends as Record<string, unknown>)[b] = r;
    try {
      const info = await selectBackend(b);
      r.info = { backend: info.backend, adapter: info.adapter, versions: info.versions, simd: info.simd };
      for (const n of o.samples) {
        const pairs = syntheticPairs(n, o.users, o.items);
        const res = await trainMf(pairs, { nUsers: o.users, nItems: o.items, dims, epochs: 1, batchSize: o.batchSize ?? 8192, learningRate: 0.15, l2: 0.02, randomNegatives: 1, seed: 1 });
        r[`train_${n}`] = { samples: res.samples, seconds: round(res.seconds), samples_per_s: Math.round(res.samplesPerSecond), loss: round(res.losses[0]!) };
      }
      // A warm-up block (shader compilation on webgpu), then the timed pass.
      await topKForUsers(params, rows.subarray(0, Math.min(cgUsers, 1024)), k);
      let t = performance.now();
      const top = await topKForUsers(params, rows, k);
      const s = (performance.now() - t) / 1000;
      r.candidates = { users: cgUsers, seconds: round(s), users_per_s: Math.round(cgUsers / s) };
      if (o.baseline && info.backend === 'webgpu') {
        r.candidates_baseline = 'not run: the old loop reads synchronously, which the webgpu backend cannot do in Node';
      } else if (o.baseline) {
        t = performance.now();
        const old = baselineTopK(params, rows, k);
        const sb = (performance.now() - t) / 1000;
        let same = 0;
        for (let j = 0; j < old.length; j++) if (old[j] === top.items[j]) same++;
        r.candidates_baseline = { users: cgUsers, seconds: round(sb), users_per_s: Math.round(cgUsers / sb), ratio: round(sb / s), same_items: round(same / old.length) };
      }
    } catch (e) {
      r.error = (e as Error).message;
    }
  }
  return out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      backends: { type: 'string', default: 'wasm,webgpu' },
      samples: { type: 'string', default: '1000000' },
      users: { type: 'string', default: '100000' },
      items: { type: 'string', default: '50000' },
      'cg-users': { type: 'string' },
      'batch-size': { type: 'string', default: '8192' },
      baseline: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  const num = (name: string, v: string) => {
    const x = Number(v);
    if (!Number.isInteger(x) || x <= 0) {
      process.stderr.write(`--${name}: expected a positive integer, got ${JSON.stringify(v)}\n`);
      process.exit(2);
    }
    return x;
  };
  const backends = values.backends!.split(',').map((b) => {
    const p = BackendChoice.safeParse(b);
    if (!p.success) {
      process.stderr.write(`--backends: unknown backend ${JSON.stringify(b)} (expected ${BackendChoice.options.join('|')})\n`);
      process.exit(2);
    }
    return p.data;
  });
  const r = await benchDevice({
    backends,
    samples: values.samples!.split(',').map((s) => num('samples', s)),
    users: num('users', values.users!),
    items: num('items', values.items!),
    cgUsers: values['cg-users'] ? num('cg-users', values['cg-users']) : undefined,
    batchSize: num('batch-size', values['batch-size']!),
    baseline: values.baseline,
  });
  const text = `${JSON.stringify(r, null, 2)}\n`;
  if (values.out) await writeFile(values.out, text);
  process.stdout.write(text);
}
