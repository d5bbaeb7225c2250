import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../../src/data/types.js';
import { createRng } from '../../src/util/rng.js';

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

/** Current values of every weight of `model` (incl. non-trainable), copied. */
export function weightValues(model: tfl.LayersModel): Float32Array[] {
  return model.weights.map((w) => Float32Array.from(w.read().dataSync()));
}

/** Set `model`'s weights to `values` (as returned by {@link weightValues}). */
export function setWeightValues(model: tfl.LayersModel, values: Float32Array[]): void {
  tf.tidy(() => model.setWeights(values.map((v, i) => tf.tensor(v, model.weights[i].shape as number[]))));
}

/** A one-image dataset `[1, 1, 1]`, for hand-computed steps. */
export function singleImage(value: number, label: number, numClasses: number): ImageDataset {
  return { name: 'single', images: Float32Array.of(value), labels: Int32Array.of(label), shape: [1, 1, 1], numClasses, count: 1 };
}
