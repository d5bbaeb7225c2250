import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/**
 * Run `fn` and assert it leaves `tf.memory().numTensors` unchanged (every backend counts). `fn` must dispose
 * what it creates and return plain values, not tensors. Returns `fn`'s result.
 * @example
 * const values = await expectNoLeaks(() => tf.tidy(() => model.predict(x).dataSync()));
 */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
  return result;
}
