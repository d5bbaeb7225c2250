import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { expectNoLeaks } from '../../src/testing/index.js';

/** Deterministic pseudo-random values in [-1, 1). */
export function values(size: number, seed: number): Float32Array {
  let state = (seed * 2654435761) >>> 0 || 1;
  return Float32Array.from({ length: size }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 2 ** 32) * 2 - 1;
  });
}

/** Flat values of a tensor or of each tensor of a list (the tensors stay owned by the caller's tidy). */
function read(out: tf.Tensor | tf.Tensor[]): Float32Array[] {
  return (Array.isArray(out) ? out : [out]).map((t) => Float32Array.from(t.dataSync()));
}

/**
 * Run `fn` on the cpu backend, then on wasm (omniprune's kernels registered), inside `tf.tidy`, asserting no
 * tensor leaks. `fn` must build its inputs itself (from plain arrays) so each run uses its own backend.
 */
export async function onCpuAndWasm(fn: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  await initBackend('cpu');
  const cpu = await expectNoLeaks(() => tf.tidy(() => read(fn())));
  await initBackend('wasm');
  const wasm = await expectNoLeaks(() => tf.tidy(() => read(fn())));
  return { cpu, wasm };
}

/**
 * Assert `actual` equals `expected` up to `tol` times the largest magnitude in `expected` (a scale-aware check:
 * gradients are often tiny, where an absolute tolerance would accept anything).
 */
export function expectCloseToScale(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  }
  expect(scale, 'expected values are all zero').toBeGreaterThan(0);
  expect(worst / scale).toBeLessThan(tol);
}
