import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainingPairs } from '../../gpu-batch/dataset/read-dataset.js';
import { selectBackend, type BackendInfo } from '../../gpu-batch/train/backend.js';
import { trainingRng } from '../../gpu-batch/train/init.js';
import { trainMf, type MfParams } from '../../gpu-batch/train/mf-model.js';
import { topKForUsers } from '../../gpu-batch/train/top-k.js';
import { startWebgpu } from '../../gpu-batch/train/webgpu.js';

/**
 * The same model, seed and data on cpu, wasm and webgpu (Mesa llvmpipe through Dawn's OpenGL
 * backend in CI) give the same training losses and the same top-k.
 *
 * Tolerance: float32 everywhere, but the backends sum in different orders (wasm uses SIMD lanes,
 * webgpu workgroup reductions), so per-epoch losses may differ by rounding that compounds over
 * steps: we allow 1e-3 relative. Parameters after training: 2e-3 absolute.
 */
const LOSS_RTOL = 1e-3;
const PARAM_ATOL = 2e-3;

/** 60 users in 3 taste groups over 30 items in 3 blocks, with noise and uneven weights. */
function world(): TrainingPairs {
  const rng = trainingRng(11, 0);
  const user: number[] = [], item: number[] = [], y: number[] = [], w: number[] = [];
  for (let u = 0; u < 60; u++) {
    for (let k = 0; k < 20; k++) {
      const i = Math.floor(rng.next() * 30);
      const liked = Math.floor(i / 10) === u % 3;
      user.push(u);
      item.push(i);
      y.push(liked !== rng.next() < 0.05 ? 1 : 0);
      w.push(liked ? 1 : 2);
    }
  }
  return { user: Int32Array.from(user), item: Int32Array.from(item), y: Float32Array.from(y), w: Float32Array.from(w), positives: 0, keepNegatives: 1 };
}

const opts = { nUsers: 60, nItems: 30, dims: 8, epochs: 6, batchSize: 128, learningRate: 0.2, l2: 0.01, randomNegatives: 1, seed: 3 };
const allUsers = Int32Array.from({ length: 60 }, (_, u) => u);

/** Why the webgpu cases cannot run here, or null. In CI (`SLATECAST_REQUIRE_WEBGPU=1`) that is a failure. */
const webgpuMissing = await startWebgpu(true).then((r) => (typeof r === 'string' ? r : null));
if (webgpuMissing) {
  const msg = `webgpu backend tests skipped: ${webgpuMissing} (install libegl-mesa0 libegl1 libgl1-mesa-dri, as .ci/run does)`;
  if (process.env.SLATECAST_REQUIRE_WEBGPU === '1') throw new Error(`SLATECAST_REQUIRE_WEBGPU=1 but ${msg}`);
  console.warn(msg);
}
const backends = webgpuMissing ? (['cpu', 'wasm'] as const) : (['cpu', 'wasm', 'webgpu'] as const);

interface Run {
  info: BackendInfo;
  active: string;
  losses: number[];
  params: MfParams;
  top: Int32Array;
  topOfReference: Int32Array;
}

describe('the same training on every backend', () => {
  const runs = new Map<string, Run>();
  let reference: MfParams;

  beforeAll(async () => {
    for (const b of backends) {
      const info = await selectBackend(b);
      const r = await trainMf(world(), opts);
      // Read while training's backend is still the active one: a silent fallback shows here.
      const active = tf.getBackend();
      reference ??= r.params;
      runs.set(b, { info, active, losses: r.losses, params: r.params, top: (await topKForUsers(r.params, allUsers, 5)).items, topOfReference: (await topKForUsers(reference, allUsers, 5)).items });
    }
    await selectBackend('wasm');
  }, 120_000);

  it.each(backends)('%s trains on the backend it was asked for', (b) => {
    const r = runs.get(b)!;
    expect(r.active).toBe(b);
    expect(r.info.backend).toBe(b);
    expect(r.info.versions['tfjs-core']).toBe('4.22.0');
    if (b === 'webgpu') {
      // Forced webgpu accepts the software adapter; the manifest says so.
      expect(r.info.adapter).not.toBeNull();
      expect(r.info.adapter!.device + r.info.adapter!.description).not.toBe('');
      expect(r.info.versions.dawn).toMatch(/^\d+\.\d+\.\d+$/);
    } else {
      expect(r.info.adapter).toBeNull();
    }
  });

  it.each(backends.filter((b) => b !== 'cpu'))('%s: losses and parameters match cpu', (b) => {
    const cpu = runs.get('cpu')!;
    const r = runs.get(b)!;
    expect(r.losses).toHaveLength(opts.epochs);
    expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]!);
    r.losses.forEach((l, e) => expect(Math.abs(l - cpu.losses[e]!)).toBeLessThanOrEqual(LOSS_RTOL * cpu.losses[e]!));
    for (const key of ['user', 'item', 'bias'] as const) {
      let worst = 0;
      r.params[key].forEach((v, j) => (worst = Math.max(worst, Math.abs(v - cpu.params[key][j]!))));
      expect(worst, key).toBeLessThan(PARAM_ATOL);
    }
  });

  it.each(backends.filter((b) => b !== 'cpu'))('%s: the same top-k as cpu', (b) => {
    // From identical parameters: exactly the same lists. From each backend's own training: the same
    // lists too (the planted groups leave clear gaps between scores).
    expect([...runs.get(b)!.topOfReference]).toEqual([...runs.get('cpu')!.topOfReference]);
    expect([...runs.get(b)!.top]).toEqual([...runs.get('cpu')!.top]);
  });
});

describe('webgpu selection', () => {
  it.skipIf(webgpuMissing !== null)('auto refuses a software adapter and says why', async () => {
    const auto = await selectBackend('auto');
    expect(auto.backend).not.toBe('webgpu');
    expect(auto.skipped.join('\n')).toMatch(/webgpu: no usable WebGPU adapter \(only a software one: .*; force it with --backend webgpu\)/);
    await selectBackend('wasm');
  });
});
