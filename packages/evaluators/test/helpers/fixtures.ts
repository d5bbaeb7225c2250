import { createRng } from '@omniprune/core/util';
import { tfjsInferenceRunner } from '@omniprune/core/prune';
import type { EvaluationContext, ImageDataset, InputNormalization } from '@omniprune/plugin-api';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expectNoLeaks } from '@omniprune/core/testing';

/** A dataset from raw pixels and labels. */
export function dataset(images: Float32Array, labels: number[], shape: readonly [number, number, number], numClasses: number): ImageDataset {
  return { name: 'synthetic/test', images, labels: Int32Array.from(labels), shape: [...shape] as [number, number, number], numClasses, count: labels.length };
}

/**
 * Separable synthetic data: class `k` is a fixed random prototype image plus uniform noise of `noise`, clipped to [0, 1];
 * `perClass` images per class, in class-interleaved order.
 */
export function separableData(classes: number, perClass: number, shape: readonly [number, number, number], seed: number, noise = 0.25): ImageDataset {
  const rng = createRng(seed);
  const per = shape[0] * shape[1] * shape[2];
  const prototypes = Array.from({ length: classes }, () => Float32Array.from({ length: per }, () => 0.2 + 0.6 * rng.next()));
  const images = new Float32Array(classes * perClass * per);
  const labels: number[] = [];
  for (let i = 0; i < classes * perClass; i++) {
    const k = i % classes;
    labels.push(k);
    for (let j = 0; j < per; j++) images[i * per + j] = Math.min(Math.max(prototypes[k][j] + noise * (2 * rng.next() - 1), 0), 1);
  }
  return dataset(images, labels, shape, classes);
}

/** Flatten -> Dense(classes, softmax): the linear softmax classifier whose FGSM step has a closed form. */
export function linearSoftmaxModel(shape: readonly [number, number, number], classes: number, seed: number): tfl.LayersModel {
  const rng = createRng(seed);
  const inputs = shape[0] * shape[1] * shape[2];
  const input = tfl.input({ shape: [...shape] });
  const probs = tfl.layers.dense({ units: classes, activation: 'softmax', name: 'probs' }).apply(tfl.layers.flatten().apply(input)) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: probs });
  model.setWeights([
    tf.tensor2d(
      Float32Array.from({ length: inputs * classes }, () => 2 * rng.next() - 1),
      [inputs, classes],
    ),
    tf.tensor1d(Float32Array.from({ length: classes }, () => 0.2 * (rng.next() - 0.5))),
  ]);
  return model;
}

/** input -> flatten -> dense `logits` (linear), optionally followed by a softmax layer. Seeded weights. */
export function tinyClassifier(shape: [number, number, number], classes: number, options: { softmax?: boolean; seed?: number } = {}): tfl.LayersModel {
  const input = tfl.input({ shape, name: 'image' });
  const flat = tfl.layers.flatten({ name: 'flat' }).apply(input) as tfl.SymbolicTensor;
  const init = tfl.initializers.randomNormal({ mean: 0, stddev: 0.5, seed: options.seed ?? 3 });
  const logits = tfl.layers.dense({ units: classes, name: 'logits', kernelInitializer: init }).apply(flat) as tfl.SymbolicTensor;
  const output = options.softmax ? (tfl.layers.softmax({ name: 'probs' }).apply(logits) as tfl.SymbolicTensor) : logits;
  return tfl.model({ inputs: input, outputs: output, name: 'tiny' });
}

/** input -> flatten -> dense softmax: probabilities only (no separate logits layer). */
export function probabilityOnlyClassifier(shape: [number, number, number], classes: number): tfl.LayersModel {
  const input = tfl.input({ shape, name: 'image' });
  const flat = tfl.layers.flatten({ name: 'flat' }).apply(input) as tfl.SymbolicTensor;
  const probs = tfl.layers
    .dense({ units: classes, activation: 'softmax', name: 'probs', kernelInitializer: tfl.initializers.randomNormal({ mean: 0, stddev: 0.5, seed: 5 }) })
    .apply(flat) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: probs, name: 'probs-only' });
}

/** Fit `model` on `ds` (already as the model sees it) with Adam, full-batch, `epochs` epochs. */
export async function train(model: tfl.LayersModel, ds: ImageDataset, epochs: number): Promise<void> {
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'sparseCategoricalCrossentropy' });
  const x = tf.tensor4d(ds.images, [ds.count, ...ds.shape]);
  const y = tf.tensor1d(ds.labels, 'float32');
  await model.fit(x, y, { epochs, batchSize: ds.count, shuffle: false, verbose: 0 });
  tf.dispose([x, y]);
}

/** Normalise raw pixels with per-channel mean/std (plain loops, independent of the code under test). */
export function normalizeRaw(images: Float32Array, normalization: InputNormalization, channels: number): Float32Array {
  return images.map((v, i) => (v - normalization.mean[i % channels]) / normalization.std[i % channels]);
}

/** An evaluation context on the TF.js runner for `test` (normalised as the model sees it): raw [0, 1] pixels, seed 1 unless overridden. */
export function evaluationContext(test: ImageDataset, overrides: Partial<EvaluationContext> = {}): EvaluationContext {
  return {
    test,
    normalization: null,
    pixelRange: [0, 1],
    runner: tfjsInferenceRunner,
    seed: 1,
    phase: 'eval',
    iteration: 0,
    log: () => {},
    ...overrides,
  };
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
