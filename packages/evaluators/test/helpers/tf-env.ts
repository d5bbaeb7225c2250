import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Use the pure-JS cpu backend (deterministic, always available). */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Run `fn` and assert `tf.memory().numTensors` is the same after it as before; returns `fn`'s result. */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
  return result;
}

/** Run `fn`, read the tensor it returns and free it; asserts nothing else was left allocated. */
export async function tensorData(fn: () => tf.Tensor): Promise<Float32Array> {
  return expectNoLeaks(async () => {
    const t = fn();
    try {
      return (await t.data()) as Float32Array;
    } finally {
      t.dispose();
    }
  });
}
