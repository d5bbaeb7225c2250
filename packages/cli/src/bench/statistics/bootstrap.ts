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

/** `value` with the percentile interval of the finite `resampled` values: their `(1 - level) / 2` and `(1 + level) / 2` quantiles. */
function percentileEstimate(value: number, resampled: readonly number[], level: number): Estimate {
  const sorted = resampled.filter(Number.isFinite).sort((a, b) => a - b);
  return { value, low: quantile(sorted, (1 - level) / 2), high: quantile(sorted, (1 + level) / 2), level };
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
  const rng = createRng(seed);
  const values = Array.from({ length: resamples }, () => statistic(all.map(() => rng.int(n))));
  return percentileEstimate(statistic(all), values, level);
}

/**
 * The mean over groups of `statistic(indices of one group)` with a two-level percentile bootstrap interval: resample
 * the groups, and within each drawn group its items (pairs kept: the statistic receives indices), `resamples` times
 * (seeded). For per-seed statistics whose spread comes from both the seeds and the items within a seed.
 * @example
 * nestedBootstrap(seeds.map((s) => s.x.length), (g, idx) => spearman(idx.map((i) => seeds[g].x[i]), idx.map((i) => seeds[g].y[i])))
 */
export function nestedBootstrap(
  sizes: readonly number[],
  statistic: (group: number, indices: readonly number[]) => number,
  options: BootstrapOptions = {},
): Estimate {
  const { resamples = 2000, level = 0.95, seed = 1 } = options;
  const all = (n: number) => Array.from({ length: n }, (_, i) => i);
  const mean = (draw: (g: number) => number) => sizes.reduce((sum, _, g) => sum + draw(g), 0) / sizes.length;
  const rng = createRng(seed);
  const values = Array.from({ length: resamples }, () =>
    mean(() => {
      const g = rng.int(sizes.length);
      return statistic(
        g,
        all(sizes[g]).map(() => rng.int(sizes[g])),
      );
    }),
  );
  return percentileEstimate(
    mean((g) => statistic(g, all(sizes[g]))),
    values,
    level,
  );
}
