import { createRequire } from 'node:module';

/** The WebGPU adapter tfjs runs on, recorded in the manifest. */
export interface GpuAdapter {
  /** Dawn's backend: `vulkan` (GPU hosts) or `opengl` (Mesa, e.g. llvmpipe in CI). */
  api: 'vulkan' | 'opengl';
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU rasteriser (llvmpipe, lavapipe, SwiftShader …) rather than a GPU. */
  software: boolean;
  /** The `webgpu` npm package (Dawn's Node binding). */
  dawn_version: string;
}

/** Minimal shapes of the `webgpu` package's objects that we touch. */
interface DawnAdapter {
  info: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean };
}
interface DawnGpu {
  requestAdapter(o?: Record<string, unknown>): Promise<DawnAdapter | null>;
}
interface DawnModule {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software/i;

/** Dawn backends to try, fastest first; compatibility mode is what Mesa's GL 4.5 supports. */
const APIS = [
  { api: 'vulkan', featureLevel: 'core' },
  { api: 'opengl', featureLevel: 'compatibility' },
] as const;

/** Loaded under a variable name so TypeScript and bundlers do not require the optional package. */
async function loadDawn(): Promise<DawnModule | string> {
  const name = 'webgpu';
  try {
    return (await import(/* @vite-ignore */ name)) as DawnModule;
  } catch (e) {
    return `the webgpu package (Dawn) is not installed or cannot load: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** The Dawn instance in use: it must outlive every pending GPU operation (Dawn polls through it). */
let instance: { gpu: DawnGpu; adapter: DawnAdapter } | null = null;
let probe: Promise<{ info: GpuAdapter; gpu: DawnGpu; adapter: DawnAdapter; globals: Record<string, unknown> } | string> | null = null;
let registered: Promise<string | null> | null = null;

/**
 * Finds a WebGPU adapter through Dawn and registers tfjs's `webgpu` backend on it.
 *
 * Tries Vulkan, then OpenGL (Mesa needs `EGL_PLATFORM=surfaceless` with no display; set here when
 * unset), and prefers a hardware adapter. tfjs's webgpu package registers its backend at import
 * only if `navigator.gpu` exists and then asks it for an adapter itself, so `navigator.gpu` is set
 * to an object that hands over the adapter chosen here. A software adapter is refused unless
 * `allowSoftware` (a forced `--backend webgpu`, the tests): on a CPU it is far slower than wasm.
 * @returns the adapter, or why there is none
 */
export async function startWebgpu(allowSoftware: boolean): Promise<GpuAdapter | string> {
  probe ??= find();
  const got = await probe;
  if (typeof got === 'string') return got;
  if (got.info.software && !allowSoftware) return `no usable WebGPU adapter (only a software one: ${got.info.device || got.info.description} via ${got.info.api}; force it with --backend webgpu)`;
  registered ??= register(got);
  const failed = await registered;
  return failed ?? got.info;
}

async function register(got: { gpu: DawnGpu; adapter: DawnAdapter; globals: Record<string, unknown> }): Promise<string | null> {
  instance = { gpu: got.gpu, adapter: got.adapter };
  Object.assign(globalThis, got.globals);
  const nav = ((globalThis as { navigator?: object }).navigator ??= {}) as object;
  Object.defineProperty(nav, 'gpu', { configurable: true, value: { requestAdapter: async () => instance!.adapter, getPreferredCanvasFormat: () => 'rgba8unorm' } });
  const tfjsWebgpu = '@tensorflow/tfjs-backend-webgpu';
  try {
    await import(/* @vite-ignore */ tfjsWebgpu);
    return null;
  } catch (e) {
    return `${tfjsWebgpu} is not installed or cannot load: ${(e as Error).message.split('\n')[0]}`;
  }
}

async function find(): Promise<{ info: GpuAdapter; gpu: DawnGpu; adapter: DawnAdapter; globals: Record<string, unknown> } | string> {
  const dawn = await loadDawn();
  if (typeof dawn === 'string') return dawn;
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const dawnVersion = (createRequire(import.meta.url)('webgpu/package.json') as { version: string }).version;
  const why: string[] = [];
  let software: { info: GpuAdapter; gpu: DawnGpu; adapter: DawnAdapter; globals: Record<string, unknown> } | null = null;
  for (const { api, featureLevel } of APIS) {
    const gpu = dawn.create([`backend=${api}`]);
    const adapter = await gpu.requestAdapter({ featureLevel, powerPreference: 'high-performance' }).catch(() => null);
    if (!adapter) {
      why.push(`${api}: no adapter`);
      continue;
    }
    const i = adapter.info;
    const info: GpuAdapter = {
      api,
      vendor: i.vendor,
      architecture: i.architecture,
      device: i.device,
      description: i.description,
      software: Boolean(i.isFallbackAdapter) || SOFTWARE.test(`${i.vendor} ${i.architecture} ${i.device} ${i.description}`),
      dawn_version: dawnVersion,
    };
    const found = { info, gpu, adapter, globals: dawn.globals };
    if (!info.software) return found;
    software ??= found;
  }
  return software ?? `no WebGPU adapter (${why.join('; ')})`;
}
