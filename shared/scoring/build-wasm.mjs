#!/usr/bin/env node
/**
 * Builds shared/scoring/scorer.wasm from kernel/scorer.ts with AssemblyScript (npm-only tooling).
 * The .wasm is committed because the worker bundles it (`import mod from './scorer.wasm'`:
 * Workers refuse to compile fetched bytes); `--check` rebuilds in memory and fails when the
 * committed bytes differ, so CI catches a kernel edited without a rebuild. A build tool beside
 * its kernel, never imported: shared/'s no-`node:*` rule is for the code both tiers run.
 *
 *   npm run build:wasm            # write scorer.wasm (+ scorer.wat for review)
 *   npm run build:wasm -- --check # exit 1 if scorer.wasm is stale
 */
import asc from 'assemblyscript/asc';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const source = relative(root, join(here, 'kernel', 'scorer.ts'));
const wasmPath = join(here, 'scorer.wasm');
const check = process.argv.includes('--check');

// simd: hand-written v128 ops; stub runtime: the kernel never allocates, the boundary owns
// memory; abort= : no imports, so the module instantiates with `{}` in any runtime.
const args = [source, '--enable', 'simd', '--runtime', 'stub', '--use', 'abort=', '-O3', '--noAssert', '-o', 'scorer.wasm', '-t', 'scorer.wat'];

const outputs = new Map();
const { error, stderr } = await asc.main(args, {
  readFile: (name, baseDir) => {
    try {
      return readFileSync(join(root, baseDir, name), 'utf8');
    } catch {
      return null;
    }
  },
  writeFile: (name, contents) => void outputs.set(name, contents),
  listFiles: () => [],
});
if (error) {
  process.stderr.write(stderr.toString());
  console.error(`build:wasm failed: ${error.message}`);
  process.exit(1);
}
const wasm = Buffer.from(outputs.get('scorer.wasm'));
if (check) {
  let committed;
  try {
    committed = readFileSync(wasmPath);
  } catch {
    committed = Buffer.alloc(0);
  }
  let wat = '';
  try {
    wat = readFileSync(join(here, 'scorer.wat'), 'utf8');
  } catch {
    // no scorer.wat committed: the comparison below reports it
  }
  if (!committed.equals(wasm) || wat !== outputs.get('scorer.wat')) {
    console.error(`build:wasm --check: ${relative(root, wasmPath)} or scorer.wat does not match ${source}; run npm run build:wasm and commit it`);
    process.exit(1);
  }
  console.log(`build:wasm --check: ${relative(root, wasmPath)} matches its source (${wasm.length} bytes)`);
} else {
  writeFileSync(wasmPath, wasm);
  writeFileSync(join(here, 'scorer.wat'), outputs.get('scorer.wat'));
  console.log(`build:wasm: wrote ${relative(root, wasmPath)} (${wasm.length} bytes)`);
}
