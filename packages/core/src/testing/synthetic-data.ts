import type { ImageDataset } from '@omniprune/plugin-api';
import { createRng } from '../util/rng.js';

/**
 * Seeded uniform values for a tensor of `dims` (any layout: NHWC images, NCHW inputs of an ONNX model, ...),
 * each `low + (high - low) * rng.next()` with `createRng(seed)`. Default range `[-1, 1)`.
 * @example
 * const x = randomImages([2, 3, 16, 16], 5); // 1536 values in [-1, 1), the same for seed 5 every time
 * const pixels = randomImages([10, 4, 4, 1], 8, [0, 1]);
 */
export function randomImages(dims: readonly number[], seed: number, range: readonly [number, number] = [-1, 1]): Float32Array {
  const rng = createRng(seed);
  const [low, high] = range;
  return Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => low + (high - low) * rng.next());
}

/** Options of {@link syntheticDataset}. */
export interface SyntheticDatasetOptions {
  /** Number of images. */
  readonly count: number;
  /** `[height, width, channels]` of one image. */
  readonly shape: readonly [number, number, number];
  /** Number of classes (`numClasses`). */
  readonly classes: number;
  /** Seed of the pixel values ({@link randomImages}). */
  readonly seed: number;
  /** Range of the uniform pixel values. Default `[-1, 1]`. */
  readonly range?: readonly [number, number];
  /** Label of image `index`. Default `index % classes` (classes in turn). */
  readonly label?: (index: number) => number;
  /** Dataset name. Default `synthetic`. */
  readonly name?: string;
}

/**
 * A small in-memory dataset of seeded uniform-noise images ({@link randomImages}), labels cycling over the classes
 * unless `label` says otherwise: data for forward passes, sampling and scoring, not for learning anything.
 * @example
 * const train = syntheticDataset({ count: 40, shape: [8, 8, 1], classes: 4, seed: 4 }); // labels 0, 1, 2, 3, 0, ...
 */
export function syntheticDataset(options: SyntheticDatasetOptions): ImageDataset {
  const { count, shape, classes, seed, range = [-1, 1], label = (i: number) => i % classes, name = 'synthetic' } = options;
  const images = randomImages([count, ...shape], seed, range);
  const labels = Int32Array.from({ length: count }, (_, i) => label(i));
  return { name, images, labels, shape: [shape[0], shape[1], shape[2]], numClasses: classes, count };
}
