import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';

/**
 * `model`'s prediction on `x` as a flat array (inside `tf.tidy`: nothing stays allocated).
 * @example
 * expectClose(predictValues(pruned, x), predictValues(masked, x));
 */
export function predictValues(model: tfl.LayersModel, x: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
}

/**
 * Assert `actual` has `expected`'s length and every `|actual - expected| / (1 + |expected|)` is below `tol`
 * (absolute near zero, relative for large values). Default `tol` 1e-4.
 * @example
 * expectClose(onnxOutput, tfjsOutput, 1e-5);
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  expect(worst).toBeLessThan(tol);
}
