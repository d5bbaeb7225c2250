import type { ImageDataset } from '../data/types.js';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { createRng } from '../util/rng.js';
import { batches } from '../data/batches.js';
import type { BatchSource } from './types.js';

/** Options of {@link datasetBatches}. */
export interface DatasetBatchesOptions {
  /** Images per batch; the last batch of an epoch may be smaller. */
  batchSize: number;
  /** Shuffle the order every epoch. Default true. */
  shuffle?: boolean;
  /** Seed of the shuffle; each epoch's order depends only on `(seed, epoch)`. Default 0. */
  seed?: number;
  /** Drop the last, incomplete batch. Default false. */
  dropLast?: boolean;
}

/** Derive a 32-bit seed from a base seed and one or more integers (epoch, step, ...). */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const part of parts) {
    h = Math.imul(h ^ (part + 0x7f4a7c15), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** Number of batches {@link datasetBatches} yields per epoch. */
export function batchesPerEpoch(count: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
}

/**
 * The default {@link BatchSource}: the dataset's images in mini-batches, reshuffled every epoch with a
 * generator seeded by `(seed, epoch)`. Every batch owns fresh arrays (safe to augment in place).
 * @example
 * const source = datasetBatches(train, { batchSize: 128, seed: 7 });
 * for (const { x, y, size } of source(0)) { ... }
 */
export function datasetBatches(ds: ImageDataset, options: DatasetBatchesOptions): BatchSource {
  const { batchSize, shuffle = true, seed = 0, dropLast = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new OmnipruneError('E_BAD_INPUT', `batchSize must be a positive integer, got ${batchSize}`, {
      hint: 'pass e.g. { batchSize: 128 }',
    });
  }
  const sampleSize = ds.shape[0] * ds.shape[1] * ds.shape[2];
  if (ds.images.length !== ds.count * sampleSize || ds.labels.length !== ds.count) {
    throw new OmnipruneError(
      'E_BAD_INPUT',
      `dataset ${ds.name} is inconsistent: ${ds.images.length} pixels and ` +
        `${ds.labels.length} labels for ${ds.count} images of shape [${ds.shape.join(', ')}]`,
      {
        hint: 'images must hold count * height * width * channels values and labels count entries',
      },
    );
  }
  return (epoch: number) => batches(ds, { batchSize, dropLast, shuffle, rng: shuffle ? createRng(deriveSeed(seed, epoch)) : undefined });
}
