import { createRng } from '@omniprune/core/util';

/** A statistic with its percentile bootstrap interval. */
export interface Estimate {
  readonly value: number;
  /** Lower and upper bound of the interval (NaN when the statistic is undefined on the data). */
  readonly low: number;
  readonly high: number;
  /** Coverage of the interval, e.g. 0.95. */
  readonly level: number;
}

/** Options of the bootstrap: resamples, coverage and the seed of the resampling. */
export interface BootstrapOptions {
  readonly resamples?: number;
  readonly level?: number;
  readonly seed?: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/**
 * `statistic` of `n` items with a percentile bootstrap interval: resample the item indices with replacement
 * (`resamples` times, seeded), recompute, take the `(1 - level) / 2` and `(1 + level) / 2` quantiles of the finite values.
 * Pairs stay paired: the statistic receives indices, not values.
 * @example
 * bootstrap(x.length, (idx) => spearman(idx.map((i) => x[i]), idx.map((i) => y[i])), { seed: 1 })
 */
export function bootstrap(n: number, statistic: (indices: readonly number[]) => number, options: BootstrapOptions = {}): Estimate {
  const { resamples = 2000, level = 0.95, seed = 1 } = options;
  const all = Array.from({ length: n }, (_, i) => i);
  const value = statistic(all);
  const rng = createRng(seed);
  const values: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const v = statistic(all.map(() => rng.int(n)));
    if (Number.isFinite(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  return { value, low: quantile(values, (1 - level) / 2), high: quantile(values, (1 + level) / 2), level };
}
