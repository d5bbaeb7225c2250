import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

/** Use the pure-JS cpu backend in unit tests (deterministic, always available). */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Use the wasm backend with omniprune's training kernels (fast enough for pipeline tests). */
export async function useWasm(): Promise<void> {
  const { initBackend } = await import('../../src/backend/index.js');
  await initBackend('wasm');
}
