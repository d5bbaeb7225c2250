import type * as tfl from '@tensorflow/tfjs-layers';
import { takeIndices } from '../data/subset.js';
import type { ImageDataset } from '../data/types.js';
import { createRng } from '../util/rng.js';
import { tfjsInferenceRunner, type InferenceRunner } from './inference-runner.js';

/**
 * Up to `samplesPerClass` images of each class (fewer when a class has fewer), drawn with a seeded generator.
 * @example
 * const sample = stratifiedSample(train, 50, 7); // 500 images of a 10-class dataset
 */
export function stratifiedSample(train: ImageDataset, samplesPerClass: number, seed: number): ImageDataset {
  const byClass: number[][] = Array.from({ length: train.numClasses }, () => []);
  for (let i = 0; i < train.count; i++) byClass[train.labels[i]]?.push(i);
  if (byClass.every((members) => members.length <= samplesPerClass)) return train;
  const rng = createRng(seed);
  const picked = byClass.flatMap((members) => rng.shuffle(members.slice()).slice(0, samplesPerClass));
  return takeIndices(train, Int32Array.from(picked.sort((a, b) => a - b)));
}

/**
 * Row-wise softmax of `[rows, classes]` logits, in float64.
 * @example
 * softmaxRows(new Float32Array([0, 0]), 2) // Float64Array [0.5, 0.5]
 */
export function softmaxRows(logits: Float32Array, classes: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let r = 0; r < logits.length / classes; r++) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, logits[r * classes + k]);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += out[r * classes + k] = Math.exp(logits[r * classes + k] - max);
    for (let k = 0; k < classes; k++) out[r * classes + k] /= sum;
  }
  return out;
}

/**
 * Mean over rows of `KL(p || q)` for `[rows, classes]` probabilities; 0 for identical rows, never negative.
 * @example
 * meanKlDivergence(new Float64Array([0.5, 0.5]), new Float64Array([0.5, 0.5]), 2) // 0
 */
export function meanKlDivergence(p: Float64Array, q: Float64Array, classes: number): number {
  const rows = p.length / classes;
  let total = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) total += p[i] * Math.log(p[i] / Math.max(q[i], 1e-12));
  return rows ? Math.max(0, total / rows) : 0;
}

/**
 * Softmax probabilities of `model` on `ds`, `[ds.count, classes]` in float64 (from its logits layer), computed on
 * `runner` (default TF.js) with batches of `batchSize` (default 256).
 * @example
 * const p = await predictProbabilities(model, sample, { runner: runnerOf(ctx) });
 */
export async function predictProbabilities(
  model: tfl.LayersModel,
  ds: ImageDataset,
  options: { batchSize?: number; runner?: InferenceRunner } = {},
): Promise<Float64Array> {
  const runner = options.runner ?? tfjsInferenceRunner;
  return softmaxRows(await runner.predictLogits(model, ds, options.batchSize ?? 256), ds.numClasses);
}
