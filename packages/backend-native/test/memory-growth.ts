import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/**
 * Run `step` 100 times to warm up, then 1,000 times more, and assert that tensors and tensor bytes did not grow and the
 * process's resident memory grew by less than 16 MB (native buffers or primitives leaking per call would show).
 * @example
 * expectNoMemoryGrowth(() => tf.tidy(() => tf.relu(x).dataSync()));
 */
export function expectNoMemoryGrowth(step: () => unknown): void {
  for (let i = 0; i < 100; i++) step();
  const tensors = tf.memory().numTensors;
  const bytes = tf.memory().numBytes;
  const rss = process.memoryUsage().rss;
  for (let i = 0; i < 1000; i++) step();
  expect(tf.memory().numTensors).toBe(tensors);
  expect(tf.memory().numBytes).toBe(bytes);
  expect(process.memoryUsage().rss - rss).toBeLessThan(16 * 2 ** 20);
}
