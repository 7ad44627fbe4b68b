import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice } from '../config/config.js';
import { UsageError } from '../config/errors.js';
import { enableAutograd } from './autograd/index.js';
import { startWebgpu, type GpuAdapter } from './webgpu.js';

/** Which backend trains, recorded in the manifest. */
export interface BackendInfo {
  /** tfjs backend name now active: `tensorflow` (tfjs-node[-gpu]), `webgpu`, `wasm` or `cpu`. */
  backend: string;
  /** The package that provides it. */
  provider: 'tfjs-node-gpu' | 'tfjs-node' | 'webgpu' | 'wasm' | 'cpu';
  requested: BackendChoice;
  simd: boolean | null;
  /** The WebGPU adapter (webgpu only): vendor, architecture, software or hardware. */
  adapter: GpuAdapter | null;
  /** Versions of tfjs-core and of the package behind the backend. */
  versions: Record<string, string>;
  /** Why better candidates were skipped (auto mode). */
  skipped: string[];
}

type Provider = BackendInfo['provider'];
/** Auto mode: a GPU first (CUDA, then any hardware WebGPU adapter), then native CPU, wasm, plain JS. */
const AUTO_ORDER: Provider[] = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'];
const PACKAGE: Record<Provider, string> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

function packageVersion(name: string): string | null {
  try {
    return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

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

/** The adapter of the last webgpu activation (the manifest records it). */
let webgpuAdapter: GpuAdapter | null = null;

async function activate(p: Provider, forced: boolean): Promise<string | null> {
  if (p === 'webgpu') {
    const got = await startWebgpu(forced);
    if (typeof got === 'string') return got;
    webgpuAdapter = got;
    try {
      return (await tf.setBackend('webgpu')) ? null : 'webgpu failed to initialise';
    } catch (e) {
      return `webgpu failed to initialise: ${(e as Error).message}`;
    }
  }
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
 * Chooses the tfjs backend: tfjs-node-gpu when installed and a GPU is visible, then WebGPU through
 * Dawn on a hardware adapter, then tfjs-node, then wasm (SIMD), then the plain JS cpu backend. An
 * explicit choice that cannot run is an operator error, not a silent downgrade; `--backend webgpu`
 * also accepts a software adapter (Mesa llvmpipe: how CI tests the webgpu path without a GPU).
 * Also makes autograd work on the chosen backend (`enableAutograd`).
 * @throws UsageError when an explicitly requested backend is unavailable
 */
export async function selectBackend(requested: BackendChoice): Promise<BackendInfo> {
  // PROD silences tfjs's console hints ("install tfjs-node …"); we log the choice ourselves.
  tf.env().set('PROD', true);
  enableAutograd();
  const skipped: string[] = [];
  const order = requested === 'auto' ? AUTO_ORDER : [requested];
  for (const p of order) {
    const why = await activate(p, requested !== 'auto');
    if (why === null) {
      await tf.ready();
      const simd = p === 'wasm' ? Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) : null;
      const versions: Record<string, string> = { 'tfjs-core': tf.version_core };
      const v = packageVersion(PACKAGE[p]);
      if (v) versions[p] = v;
      const adapter = p === 'webgpu' ? webgpuAdapter : null;
      if (adapter) versions.dawn = adapter.dawn_version;
      return { backend: tf.getBackend(), provider: p, requested, simd, adapter, versions, skipped };
    }
    if (requested !== 'auto') throw new UsageError(`--backend ${requested}: ${why}`);
    skipped.push(`${p}: ${why}`);
  }
  throw new Error(`no tfjs backend could start: ${skipped.join('; ')}`);
}
