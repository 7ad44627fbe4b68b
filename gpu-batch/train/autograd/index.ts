import { registerGradients } from './gradients.js';
import { registerWasmKernels } from './wasm-kernels.js';

/** Makes `tf.grads`/`tf.variableGrads` work on every backend: missing gradients and wasm kernels. */
export function enableAutograd(): void {
  registerGradients();
  registerWasmKernels();
}
