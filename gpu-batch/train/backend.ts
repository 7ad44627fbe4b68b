import { existsSync, readdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice } from '../config/config.js';
import { UsageError } from '../config/errors.js';

/** Which backend trains, recorded in the manifest. */
export interface BackendInfo {
  /** tfjs backend name now active: `tensorflow` (tfjs-node[-gpu]), `wasm` or `cpu`. */
  backend: string;
  /** The package that provides it. */
  provider: 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
  requested: BackendChoice;
  simd: boolean | null;
  /** Why better candidates were skipped (auto mode). */
  skipped: string[];
}

type Provider = BackendInfo['provider'];
const AUTO_ORDER: Provider[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

/** A GPU the CUDA build could use: the NVIDIA driver's device nodes or proc entries. */
function gpuVisible(): boolean {
  try {
    if (existsSync('/dev/nvidia0')) return true;
    return existsSync('/proc/driver/nvidia/gpus') && readdirSync('/proc/driver/nvidia/gpus').length > 0;
  } catch {
    return false;
  }
}

/**
 * Loads an optional native tfjs package. The names are in variables so neither TypeScript nor
 * a bundler insists on them: they cannot install everywhere (their postinstall downloads
 * libtensorflow), and the batch tier must run without them.
 */
async function importOptional(name: string): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ name);
    return true;
  } catch {
    return false;
  }
}

async function activate(p: Provider): Promise<string | null> {
  if (p === 'tfjs-node-gpu' || p === 'tfjs-node') {
    if (p === 'tfjs-node-gpu' && !gpuVisible()) return 'no GPU visible';
    if (!(await importOptional(`@tensorflow/${p}`))) return `@tensorflow/${p} is not installed`;
    // The native package registers 'tensorflow' on the tfjs-core it resolved; it must be ours.
    if (!tf.findBackendFactory('tensorflow')) return `@tensorflow/${p} loaded a different @tensorflow/tfjs-core (align versions to 4.22)`;
    return (await tf.setBackend('tensorflow')) ? null : `${p} failed to initialise`;
  }
  return (await tf.setBackend(p)) ? null : `${p} failed to initialise`;
}

/**
 * Chooses the tfjs backend once per process: tfjs-node-gpu when installed and a GPU is visible,
 * then tfjs-node, then wasm (SIMD), then the plain JS cpu backend. An explicit choice that cannot
 * run is an operator error, not a silent downgrade.
 * @throws UsageError when an explicitly requested backend is unavailable
 */
export async function selectBackend(requested: BackendChoice): Promise<BackendInfo> {
  // PROD silences tfjs's console hints ("install tfjs-node …"); we log the choice ourselves.
  tf.env().set('PROD', true);
  const skipped: string[] = [];
  const order = requested === 'auto' ? AUTO_ORDER : [requested];
  for (const p of order) {
    const why = await activate(p);
    if (why === null) {
      await tf.ready();
      const simd = p === 'wasm' ? Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) : null;
      return { backend: tf.getBackend(), provider: p, requested, simd, skipped };
    }
    if (requested !== 'auto') throw new UsageError(`--backend ${requested}: ${why}`);
    skipped.push(`${p}: ${why}`);
  }
  throw new Error(`no tfjs backend could start: ${skipped.join('; ')}`);
}
