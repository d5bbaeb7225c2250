import type { ImageDataset } from '@omniprune/plugin-api';

/** An in-memory image dataset (declared in `@omniprune/plugin-api`). */
export type { ImageDataset };

/** A train/test pair of datasets, with a validation split when one was held out of training. */
export interface DataSplits {
  readonly train: ImageDataset;
  readonly test: ImageDataset;
  /** Held out of `train` (dataset spec `validation: { count }`); never trained on. */
  readonly validation?: ImageDataset;
}
