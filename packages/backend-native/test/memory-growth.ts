import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

setFlagsFromString('--expose-gc');
/** V8's collector, reachable without starting node with `--expose-gc`. */
const collectGarbage = runInNewContext('gc') as () => void;

/** Resident memory not held by JavaScript array buffers, after a full garbage collection (MB). */
function nativeResidentMb(): number {
  collectGarbage();
  const { rss, arrayBuffers } = process.memoryUsage();
  return (rss - arrayBuffers) / 2 ** 20;
}

const LIMIT_MB = 16;
const WINDOWS = 3;

/**
 * Run `step` 100 times to warm up, then windows of 1,000 calls: tensors and tensor bytes must not grow, and resident
 * memory (after garbage collection, JavaScript array buffers excluded) must grow by less than 16 MB in at least one of
 * three windows. A native leak of 16 KB or more per call grows every window; the allocator's and collector's noise
 * (about 10 MB up or down between windows, measured) does not repeat.
 * @example
 * expectNoMemoryGrowth(() => tf.tidy(() => tf.relu(x).dataSync()));
 */
export function expectNoMemoryGrowth(step: () => unknown): void {
  for (let i = 0; i < 100; i++) step();
  const tensors = tf.memory().numTensors;
  const bytes = tf.memory().numBytes;
  const growths: number[] = [];
  for (let w = 0; w < WINDOWS; w++) {
    const before = nativeResidentMb();
    for (let i = 0; i < 1000; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numBytes).toBe(bytes);
    growths.push(nativeResidentMb() - before);
    if (growths[w] < LIMIT_MB) return;
  }
  expect.fail(`resident memory grew by ${growths.map((g) => g.toFixed(1)).join(', ')} MB in ${WINDOWS} windows of 1,000 calls (limit ${LIMIT_MB} MB)`);
}
