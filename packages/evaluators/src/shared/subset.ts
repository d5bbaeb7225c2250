import { selectSubsetIndices, takeIndices } from '@omniprune/core/data';
import type { ImageDataset } from '@omniprune/plugin-api';

/**
 * `samples` images of `ds` drawn stratified by class with `seed` (core's `selectSubsetIndices`), in dataset order;
 * `ds` itself when it has no more than `samples` images.
 * @example
 * const attacked = evaluationSubset(ctx.test, 1000, ctx.seed);
 */
export function evaluationSubset(ds: ImageDataset, samples: number, seed: number): ImageDataset {
  if (samples >= ds.count) return ds;
  const picked = takeIndices(ds, selectSubsetIndices(ds.labels, ds.numClasses, samples, { strategy: 'stratified', seed }));
  return { ...picked, name: `${ds.name}[${samples}]` };
}
