/**
 * `import mod from './scorer.wasm'`: wrangler's default CompiledWasm rule turns a bundled .wasm
 * into a precompiled `WebAssembly.Module` (Workers refuse to compile fetched bytes at runtime).
 */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
