import { basename } from 'node:path';
import { build } from 'esbuild';

/** Miniflare modules of one bundled worker, entry first. */
export type WorkerModules = Array<{ type: 'ESModule'; path: string; contents: string } | { type: 'CompiledWasm'; path: string; contents: Uint8Array }>;

/**
 * Bundles a worker entry with esbuild for the `Miniflare` class, as wrangler would: ES modules,
 * worker conditions, and `.wasm` imports kept as separate precompiled WebAssembly modules
 * (Workers refuse to compile wasm from bytes at run time).
 * @param entry absolute path of the worker's entry file
 */
export async function bundleWorker(entry: string): Promise<WorkerModules> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    write: false,
    outdir: '/virtual',
    loader: { '.wasm': 'copy' },
    logLevel: 'silent',
  });
  const main = basename(entry).replace(/\.[cm]?[jt]s$/, '.js');
  const modules: WorkerModules = out.outputFiles.map((f) => {
    const path = f.path.replace('/virtual/', '');
    return path.endsWith('.wasm') ? { type: 'CompiledWasm' as const, path, contents: f.contents } : { type: 'ESModule' as const, path, contents: f.text };
  });
  return modules.sort((a, b) => Number(b.path === main) - Number(a.path === main));
}
