import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import type { ImageDataset } from '../../src/data/types.js';
import { createRng } from '../../src/util/rng.js';

type S = tfl.SymbolicTensor;

/** Switch to the deterministic cpu backend. */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

function gaussian(rng: ReturnType<typeof createRng>): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * A linearly separable toy task: `classes` random +-1 prototypes of shape `[4, 4, 1]`, each image one
 * prototype plus gaussian noise (std `noise`). Same `seed` => same prototypes; `sampleSeed` varies the images.
 */
export function prototypeDataset(count: number, sampleSeed: number, options: { seed?: number; classes?: number; noise?: number } = {}): ImageDataset {
  const { seed = 1, classes = 3, noise = 0.6 } = options;
  const shape: [number, number, number] = [4, 4, 1];
  const size = 16;
  const protoRng = createRng(seed);
  const prototypes = Array.from({ length: classes }, () => Float32Array.from({ length: size }, () => (protoRng.next() < 0.5 ? -1 : 1)));
  const rng = createRng(sampleSeed);
  const images = new Float32Array(count * size);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const c = rng.int(classes);
    labels[i] = c;
    for (let j = 0; j < size; j++) images[i * size + j] = prototypes[c][j] + noise * gaussian(rng);
  }
  return { name: `prototypes/${sampleSeed}`, images, labels, shape, numClasses: classes, count };
}

const glorot = (seed: number) => tfl.initializers.glorotUniform({ seed });

/** Flatten -> dense(16, relu) -> dense `logits` -> softmax `probs`, seeded initialisers. */
export function mlp(options: { seed?: number; classes?: number; kernelL2?: number } = {}): tfl.LayersModel {
  const { seed = 3, classes = 3, kernelL2 } = options;
  const kernelRegularizer = kernelL2 === undefined ? undefined : tfl.regularizers.l2({ l2: kernelL2 });
  const input = tfl.input({ shape: [4, 4, 1] });
  let x = tfl.layers.flatten().apply(input) as S;
  x = tfl.layers.dense({ units: 16, activation: 'relu', kernelInitializer: glorot(seed), kernelRegularizer }).apply(x) as S;
  x = tfl.layers.dense({ units: classes, name: 'logits', kernelInitializer: glorot(seed + 1), kernelRegularizer }).apply(x) as S;
  const probs = tfl.layers.activation({ activation: 'softmax', name: 'probs' }).apply(x) as S;
  return tfl.model({ inputs: input, outputs: probs });
}

/** conv(4) -> BN -> relu -> flatten -> dense `logits` -> softmax `probs`, seeded initialisers. */
export function convBn(options: { seed?: number; classes?: number } = {}): tfl.LayersModel {
  const { seed = 5, classes = 3 } = options;
  const input = tfl.input({ shape: [4, 4, 1] });
  let x = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: glorot(seed) }).apply(input) as S;
  x = tfl.layers.batchNormalization({ name: 'bn' }).apply(x) as S;
  x = tfl.layers.activation({ activation: 'relu' }).apply(x) as S;
  x = tfl.layers.flatten().apply(x) as S;
  x = tfl.layers.dense({ units: classes, name: 'logits', kernelInitializer: glorot(seed + 1) }).apply(x) as S;
  const probs = tfl.layers.activation({ activation: 'softmax', name: 'probs' }).apply(x) as S;
  return tfl.model({ inputs: input, outputs: probs });
}

/** Current values of every weight of `model` (incl. non-trainable), copied. */
export function weightValues(model: tfl.LayersModel): Float32Array[] {
  return model.weights.map((w) => Float32Array.from(w.read().dataSync()));
}

/** Set `model`'s weights to `values` (as returned by {@link weightValues}). */
export function setWeightValues(model: tfl.LayersModel, values: Float32Array[]): void {
  tf.tidy(() => model.setWeights(values.map((v, i) => tf.tensor(v, model.weights[i].shape as number[]))));
}

/** Run `fn` and assert it leaves the number of live tensors unchanged. */
export async function expectNoLeaks<T>(fn: () => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

/** A one-image dataset `[1, 1, 1]`, for hand-computed steps. */
export function singleImage(value: number, label: number, numClasses: number): ImageDataset {
  return { name: 'single', images: Float32Array.of(value), labels: Int32Array.of(label), shape: [1, 1, 1], numClasses, count: 1 };
}
