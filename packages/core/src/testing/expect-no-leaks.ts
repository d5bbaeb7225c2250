import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/**
 * Run `fn` (sync or async) and assert it leaves `tf.memory().numTensors` unchanged, on every backend. `fn` must
 * dispose what it creates and return plain values, not tensors. Resolves to `fn`'s result; always `await` it.
 * @example
 * const values = await expectNoLeaks(() => tf.tidy(() => model.predict(x).dataSync()));
 * const scores = await expectNoLeaks(() => criterion.scoreBlocks(ctx, blocks));
 */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
  return result;
}
