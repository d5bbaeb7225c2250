import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

/**
 * Switch TensorFlow.js to the pure-JS `cpu` backend (deterministic, always available) and wait until it is ready.
 * Meant for `beforeAll`; the backend stays active for the rest of the test file.
 * @example
 * beforeAll(useCpu);
 */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * Switch to the wasm backend with omniprune's training kernels registered (`initBackend('wasm')`): fast enough for
 * pipeline tests. The backend module is loaded on the first call only.
 * @example
 * beforeAll(useWasm);
 */
export async function useWasm(): Promise<void> {
  const { initBackend } = await import('../backend/index.js');
  await initBackend('wasm');
}
