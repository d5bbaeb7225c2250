import { badInput } from './data-errors.js';
import type { ImageDataset } from './types.js';

/** Per-channel statistics, one entry per channel. */
export interface ChannelStats {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/**
 * Per-channel mean and (population) standard deviation over every pixel of every image,
 * accumulated in float64. Compute it on the training split and reuse it for the test split.
 * @example
 * const stats = channelStats(splits.train); // e.g. { mean: [0.286], std: [0.353] } for Fashion-MNIST
 */
export function channelStats(ds: ImageDataset): ChannelStats {
  const channels = ds.shape[2];
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  const x = ds.images;
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const v = x[i + c];
      sum[c] += v;
      sumSq[c] += v * v;
    }
  }
  const n = x.length / channels;
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    const m = n > 0 ? sum[c] / n : 0;
    mean.push(m);
    std.push(n > 0 ? Math.sqrt(Math.max(sumSq[c] / n - m * m, 0)) : 0);
  }
  return { mean, std };
}

/** Options of {@link normalize}. */
export interface NormalizeOptions extends ChannelStats {
  /** Overwrite `ds.images` instead of allocating a copy; default `false`. */
  inPlace?: boolean;
}

/**
 * Standardise every channel: `(x - mean[c]) / std[c]`. A single value in `mean`/`std` applies
 * to all channels. Returns a new dataset (sharing labels) unless `inPlace` is set.
 * @throws OmnipruneError `E_BAD_INPUT` when the lengths do not match the channels or a std is not > 0
 * @example
 * const stats = channelStats(train);
 * const trainN = normalize(train, stats), testN = normalize(test, stats);
 */
export function normalize(ds: ImageDataset, options: NormalizeOptions): ImageDataset {
  const channels = ds.shape[2];
  const expand = (values: readonly number[], what: string): number[] => {
    if (values.length === 1) return Array.from({ length: channels }, () => values[0]);
    if (values.length !== channels) {
      throw badInput(
        `normalize ${what} has ${values.length} values, the dataset has ${channels} channels`,
        `give one ${what} value per channel (or a single value for all)`,
      );
    }
    return [...values];
  };
  const mean = expand(options.mean, 'mean');
  const std = expand(options.std, 'std');
  if (std.some((s) => !(s > 0))) {
    throw badInput(`normalize std must be > 0 for every channel, got [${std.join(', ')}]`, 'a constant channel has std 0: drop it or pass std 1 for it');
  }
  const inv = std.map((s) => 1 / s);
  const src = ds.images;
  const out = options.inPlace ? src : new Float32Array(src.length);
  for (let i = 0; i < src.length; i += channels) {
    for (let c = 0; c < channels; c++) out[i + c] = (src[i + c] - mean[c]) * inv[c];
  }
  return options.inPlace ? ds : { ...ds, images: out };
}
