import { createRng } from '../util/rng.js';
import { badInput } from './data-errors.js';
import type { ImageDataset } from './types.js';

/** How {@link selectSubsetIndices} picks a subset: the first N, or N drawn per class in proportion. */
export type SubsetStrategy = 'first' | 'stratified';

/** Options of {@link selectSubsetIndices} and {@link subsetDataset}. */
export interface SubsetOptions {
  /** Strategy; default `'stratified'`. */
  strategy?: SubsetStrategy;
  /** Seed of the stratified draw; default `0`. */
  seed?: number;
}

/**
 * Choose `size` sample indices out of `labels`, sorted ascending.
 * `'first'` takes `0..size-1`. `'stratified'` gives each class `size * classCount / total` samples
 * (largest-remainder rounding, so the counts add up to `size`), drawn with a seeded RNG.
 * A `size` at or above the label count returns every index.
 * @example
 * selectSubsetIndices(labels, 10, 1000, { strategy: 'stratified', seed: 1 }); // 100 per class when balanced
 */
export function selectSubsetIndices(labels: Int32Array | Uint8Array, numClasses: number, size: number, options: SubsetOptions = {}): Int32Array {
  if (!Number.isInteger(size) || size < 1) {
    throw badInput(`subset size must be a positive integer, got ${size}`, 'set trainSubset/testSubset to e.g. 1000, or leave it out');
  }
  const total = labels.length;
  if (size >= total) return Int32Array.from({ length: total }, (_, i) => i);
  if ((options.strategy ?? 'stratified') === 'first') return Int32Array.from({ length: size }, (_, i) => i);

  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < total; i++) byClass[labels[i]].push(i);
  const exact = byClass.map((members) => (size * members.length) / total);
  const quota = exact.map(Math.floor);
  let missing = size - quota.reduce((a, b) => a + b, 0);
  const order = exact.map((value, cls) => ({ cls, remainder: value - Math.floor(value) })).sort((a, b) => b.remainder - a.remainder || a.cls - b.cls);
  for (const { cls } of order) {
    if (missing === 0) break;
    if (quota[cls] < byClass[cls].length) {
      quota[cls]++;
      missing--;
    }
  }
  const rng = createRng(options.seed ?? 0);
  const picked: number[] = [];
  byClass.forEach((members, cls) => {
    picked.push(...rng.shuffle(members.slice()).slice(0, quota[cls]));
  });
  return Int32Array.from(picked.sort((a, b) => a - b));
}

/**
 * Copy the samples at `indices` into a new dataset (same shape, classes and names).
 * @example
 * const small = takeIndices(train, Int32Array.of(0, 5, 9));
 */
export function takeIndices(ds: ImageDataset, indices: Int32Array): ImageDataset {
  const [h, w, c] = ds.shape;
  const per = h * w * c;
  const images = new Float32Array(indices.length * per);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    images.set(ds.images.subarray(i * per, (i + 1) * per), k * per);
    labels[k] = ds.labels[i];
  }
  return { ...ds, images, labels, count: indices.length };
}

/**
 * A subset of `size` samples of a dataset (see {@link selectSubsetIndices}); the dataset itself when
 * `size` is undefined or not smaller than its count.
 * @example
 * const train1k = subsetDataset(splits.train, 1000, { strategy: 'stratified', seed: 42 });
 */
export function subsetDataset(ds: ImageDataset, size: number | undefined, options: SubsetOptions = {}): ImageDataset {
  if (size === undefined || size >= ds.count) return ds;
  return takeIndices(ds, selectSubsetIndices(ds.labels, ds.numClasses, size, options));
}
