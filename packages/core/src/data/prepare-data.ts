import { z } from 'zod';
import { augmentStepSchema } from './augment.js';
import { datasetSpecSchema, loadDataset } from './dataset-spec.js';
import { channelStats, normalize, type ChannelStats } from './normalize.js';
import type { DataSplits } from './types.js';

/**
 * A data pipeline: which dataset, how to normalise it, and which augmentation steps training batches get.
 * `normalize: 'auto'` (default) uses the training split's per-channel mean/std; a model trained on normalised
 * data records them so later runs reuse the same values.
 */
export const dataPipelineSchema = z.strictObject({
  dataset: datasetSpecSchema,
  normalize: z.union([z.literal('auto'), z.literal(false), z.strictObject({ mean: z.array(z.number()), std: z.array(z.number()) })]).default('auto'),
  augment: z.array(augmentStepSchema).default([]),
});

/** Input form of {@link dataPipelineSchema}. */
export type DataPipelineInput = z.input<typeof dataPipelineSchema>;
/** Parsed form of {@link dataPipelineSchema}. */
export type DataPipeline = z.output<typeof dataPipelineSchema>;

/** Loaded, normalised data and the statistics used. */
export interface PreparedData extends DataSplits {
  /** Per-channel statistics applied, or null when the data was left unnormalised. */
  readonly normalization: ChannelStats | null;
}

/**
 * Load a dataset and normalise both splits (in place, with the same statistics).
 * @example
 * const data = await prepareData({ dataset: { name: 'fashion-mnist', trainSubset: 5000 } });
 */
export async function prepareData(input: DataPipelineInput, stats?: ChannelStats | null): Promise<PreparedData> {
  const pipeline = dataPipelineSchema.parse(input);
  const splits = await loadDataset(pipeline.dataset);
  const normalization =
    stats !== undefined ? stats : pipeline.normalize === false ? null : pipeline.normalize === 'auto' ? channelStats(splits.train) : pipeline.normalize;
  if (normalization) {
    normalize(splits.train, { ...normalization, inPlace: true });
    normalize(splits.test, { ...normalization, inPlace: true });
    if (splits.validation) normalize(splits.validation, { ...normalization, inPlace: true });
  }
  return { ...splits, normalization };
}
