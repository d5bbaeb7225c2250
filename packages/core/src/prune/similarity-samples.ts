import { selectSubsetIndices, takeIndices } from '../data/subset.js';
import type { PreparedData } from '../data/prepare-data.js';
import type { ImageDataset } from '../data/types.js';
import { OmnipruneError } from '../errors/omniprune-error.js';
import type { Pipeline } from './load-pipeline.js';

function validationSplit(data: { validation?: ImageDataset }): ImageDataset {
  if (!data.validation) {
    throw new OmnipruneError('E_BAD_INPUT', 'similarity.split is validation but the data holds no validation split', {
      hint: 'hold one out of training with data: { dataset: { ..., validation: { count: 5000 } } }',
    });
  }
  return data.validation;
}

/**
 * The images the similarity metric compares representations on: `similarity.split`, subsampled (stratified, with the
 * run's seed) to `similarity.samples` when it asks for fewer.
 * @example
 * const samples = similaritySamples(pipeline, data); // 3,000 validation images for the paper example
 */
export function similaritySamples(pipeline: Pipeline, data: PreparedData): ImageDataset {
  const split = pipeline.similarity.split === 'validation' ? validationSplit(data) : pipeline.similarity.split === 'test' ? data.test : data.train;
  return pipeline.similarity.samples && pipeline.similarity.samples < split.count
    ? takeIndices(split, selectSubsetIndices(split.labels, split.numClasses, pipeline.similarity.samples, { strategy: 'stratified', seed: pipeline.seed }))
    : split;
}
