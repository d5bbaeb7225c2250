import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../data/types.js';
import { batchRanges, checkDataset, resolveHead, softmaxCrossEntropy } from './forward.js';

/**
 * Mean gradient of the cross-entropy over `ds` (inference-mode forward: BatchNorm uses its running statistics;
 * no regularisers) with respect to every trainable weight, keyed by the weight's name (`s1_b0_conv1/kernel`).
 * The basis of first-order Taylor importance scores.
 * @example
 * const grads = await lossGradients(model, sample, { batchSize: 64 }); grads.get('s1_b0_conv1/kernel') // Float32Array
 */
export async function lossGradients(model: tfl.LayersModel, ds: ImageDataset, options: { batchSize?: number } = {}): Promise<Map<string, Float32Array>> {
  const head = resolveHead(model);
  checkDataset(ds, head, model.name);
  const weights = model.trainableWeights;
  const variables = weights.map((w) => w.read() as tf.Variable);
  const sums = weights.map((w) => new Float64Array((w.shape as number[]).reduce((a, b) => a * b, 1)));
  const sample = ds.shape[0] * ds.shape[1] * ds.shape[2];
  for (const [start, size] of batchRanges(ds.count, options.batchSize ?? 64)) {
    const { grads } = tf.tidy(() => {
      const x = tf.tensor(ds.images.subarray(start * sample, (start + size) * sample), [size, ...head.sampleShape]);
      const y = tf.tensor1d(ds.labels.subarray(start, start + size), 'int32');
      return tf.variableGrads(() => tf.sum(softmaxCrossEntropy(head.forward(x, false), y, { fromLogits: head.fromLogits })) as tf.Scalar, variables);
    });
    for (const [i, v] of variables.entries()) {
      const g = grads[v.name];
      if (!g) continue;
      const values = (await g.data()) as Float32Array;
      const sum = sums[i];
      for (let j = 0; j < values.length; j++) sum[j] += values[j];
    }
    tf.dispose(grads);
  }
  return new Map(weights.map((w, i) => [w.name, Float32Array.from(sums[i], (v) => v / Math.max(1, ds.count))]));
}
