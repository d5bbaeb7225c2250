import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '@omniprune/plugin-api';
import type { Rng } from '../util/rng.js';
import { augmentBatch, type AugmentStep, type ImageShape } from './augment.js';
import { badInput } from './data-errors.js';
import type { ImageDataset } from './types.js';

/** One mini-batch as plain typed arrays (declared in `@omniprune/plugin-api`). */
export type { Batch };

/** Options of {@link batches}. */
export interface BatchOptions {
  /** Samples per batch (>= 1). */
  batchSize: number;
  /** Visit samples in a random order drawn from `rng`; default `false`. */
  shuffle?: boolean;
  /** Seeded generator; required when `shuffle` or `augment` is used. Pass one per run, not per epoch. */
  rng?: Rng;
  /** Augmentation steps applied to every batch on the fly; default none. */
  augment?: readonly AugmentStep[];
  /** Drop the last batch when it is smaller than `batchSize`; default `false`. */
  dropLast?: boolean;
}

/**
 * Iterate over a dataset in mini-batches, optionally shuffled and augmented (no tensors involved).
 * The dataset itself is never modified. The same seed gives the same batches.
 * @throws OmnipruneError `E_BAD_INPUT` on a bad batch size, or shuffle/augment without `rng`
 * @example
 * const rng = createRng(42);
 * for (let epoch = 0; epoch < 3; epoch++) {
 *   for (const b of batches(train, { batchSize: 128, shuffle: true, rng, augment: [{ type: 'flip' }] })) {
 *     const { x, y } = toTensors(b, train.shape); // ...train...; tf.dispose([x, y]);
 *   }
 * }
 */
export function* batches(ds: ImageDataset, options: BatchOptions): Generator<Batch, void, undefined> {
  const { batchSize, shuffle = false, rng, augment = [], dropLast = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw badInput(`batchSize must be a positive integer, got ${batchSize}`, 'use e.g. batchSize: 128');
  }
  if ((shuffle || augment.length > 0) && rng === undefined) {
    throw badInput('batches() needs an rng when shuffle or augment is set', 'pass rng: createRng(seed), created once per run so that epochs differ');
  }
  const [h, w, c] = ds.shape;
  const per = h * w * c;
  const order = Array.from({ length: ds.count }, (_, i) => i);
  if (shuffle) rng!.shuffle(order);
  const sequential = !shuffle;
  for (let start = 0; start < ds.count; start += batchSize) {
    const size = Math.min(batchSize, ds.count - start);
    if (size < batchSize && dropLast) return;
    let x: Float32Array;
    const y = new Int32Array(size);
    const indices = Int32Array.from({ length: size }, (_, k) => order[start + k]);
    if (sequential) {
      x = ds.images.slice(start * per, (start + size) * per);
      y.set(ds.labels.subarray(start, start + size));
    } else {
      x = new Float32Array(size * per);
      for (let k = 0; k < size; k++) {
        const i = order[start + k];
        x.set(ds.images.subarray(i * per, (i + 1) * per), k * per);
        y[k] = ds.labels[i];
      }
    }
    if (augment.length > 0) augmentBatch(x, size, [h, w, c], augment, rng!);
    yield augment.length > 0 ? { x, y, size } : { x, y, size, indices };
  }
}

/**
 * Wrap a batch as tensors: `x` float32 `[size, h, w, c]`, `y` int32 `[size]`.
 * The caller owns (and must dispose) both tensors.
 * @example
 * const { x, y } = toTensors(batch, ds.shape);
 * try { model.trainOnBatch(x, y); } finally { tf.dispose([x, y]); }
 */
export function toTensors(batch: Batch, shape: ImageShape): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const [h, w, c] = shape;
  if (batch.x.length !== batch.size * h * w * c || batch.y.length !== batch.size) {
    throw badInput(`batch of size ${batch.size} does not match image shape [${h}, ${w}, ${c}]`, 'pass the shape of the dataset the batch came from');
  }
  return {
    x: tf.tensor4d(batch.x, [batch.size, h, w, c], 'float32'),
    y: tf.tensor1d(batch.y, 'int32'),
  };
}
