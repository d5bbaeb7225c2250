import type { Representation } from '@omniprune/plugin-api';
import { ckaRatio } from './cka-ratio.js';
import { linearStats, unbiasedHsics } from './linear-stats.js';
import { badInput, readPair, type FeatureMatrix } from './representation.js';

const METRIC = 'minibatch-cka';

/** Streaming minibatch CKA: feed aligned batches with `add`, read with `value`. */
export interface MinibatchCkaAccumulator {
  /** Add one aligned batch of both representations. */
  add(x: Representation, y: Representation): void;
  /** The similarity of everything added so far. */
  value(): number;
  /** Batches added so far. */
  readonly batches: number;
}

class MinibatchAccumulator implements MinibatchCkaAccumulator {
  private xy = 0;
  private xx = 0;
  private yy = 0;
  private count = 0;
  private widths: [number, number] | null = null;

  get batches(): number {
    return this.count;
  }

  add(x: Representation, y: Representation): void {
    const [a, b] = readPair(x, y, METRIC, 4);
    this.addRows(a, b, 0, a.rows);
  }

  /** Add rows `start..end-1` of two checked representations as one batch. */
  addRows(a: FeatureMatrix, b: FeatureMatrix, start: number, end: number): void {
    if (this.widths && (this.widths[0] !== a.cols || this.widths[1] !== b.cols)) {
      badInput(
        METRIC,
        `batch ${this.count + 1} has ${a.cols} x features and ${b.cols} y features, earlier batches had ${this.widths[0]} and ${this.widths[1]}`,
        'every batch must come from the same two layers',
      );
    }
    this.widths = [a.cols, b.cols];
    const h = unbiasedHsics(linearStats(a, b, start, end));
    this.xy += h.xy;
    this.xx += h.xx;
    this.yy += h.yy;
    this.count++;
  }

  value(): number {
    if (this.count === 0) badInput(METRIC, 'no batches were added', 'call add(xBatch, yBatch) at least once before value()');
    // the means' common factor 1/count cancels in the ratio
    return ckaRatio(this.xy, this.xx, this.yy);
  }
}

/**
 * Create a streaming minibatch CKA (Nguyen et al. 2021) accumulator. Each `add(xBatch, yBatch)` computes the
 * unbiased HSIC_1 (Song et al. 2012) of the batch's linear kernels, `HSIC_1(K_i, L_i)`, `HSIC_1(K_i, K_i)` and
 * `HSIC_1(L_i, L_i)`, in float64 without forming a Gram matrix; `value()` returns
 * `mean_i HSIC_1(K_i, L_i) / sqrt(mean_i HSIC_1(K_i, K_i) * mean_i HSIC_1(L_i, L_i))`.
 *
 * Memory is independent of the number of batches, so it scales to any number of samples. Batches need >= 4
 * samples each and the same feature counts throughout; batch tensors are read, never disposed. The value depends
 * (slightly) on how samples are split into batches, and differs from full-batch {@link debiasedLinearCKA} unless
 * there is a single batch. `value()` before any `add` throws `E_BAD_INPUT`; constant representations give
 * {@link DEGENERATE_CKA} (0).
 * @example
 * const acc = createMinibatchCKA();
 * for (const [xb, yb] of alignedBatches) acc.add(xb, yb);
 * const cka = acc.value();
 */
export function createMinibatchCKA(): MinibatchCkaAccumulator {
  return new MinibatchAccumulator();
}

/** Options of {@link minibatchCKA}. */
export interface MinibatchCkaOptions {
  /** Samples per batch, an integer >= 4. Default 1000. */
  batchSize?: number;
}

/** `[start, end)` of consecutive batches; a final remainder of fewer than 4 rows joins the previous batch. */
function batchRanges(n: number, size: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let s = 0; s < n; s += size) ranges.push([s, Math.min(n, s + size)]);
  const last = ranges[ranges.length - 1];
  if (ranges.length > 1 && last[1] - last[0] < 4) {
    ranges.pop();
    ranges[ranges.length - 1][1] = n;
  }
  return ranges;
}

/**
 * Minibatch CKA (Nguyen et al. 2021) of two full representations, split in order into consecutive batches of
 * `batchSize` rows (a final remainder of fewer than 4 rows is merged into the previous batch, so no sample is
 * dropped); see {@link createMinibatchCKA} for the estimator. With `batchSize >= n` it equals
 * {@link debiasedLinearCKA}. Needs at least 4 samples; same input checks as {@link linearCKA}.
 * @example
 * minibatchCKA(parentFeatures, candidateFeatures);                    // batches of 1000
 * minibatchCKA(parentFeatures, candidateFeatures, { batchSize: 500 });
 */
export function minibatchCKA(x: Representation, y: Representation, options: MinibatchCkaOptions = {}): number {
  const batchSize = options.batchSize ?? 1000;
  if (!(Number.isInteger(batchSize) && batchSize >= 4)) {
    badInput(
      METRIC,
      `batchSize must be an integer >= 4, got ${String(batchSize)}`,
      'the unbiased HSIC estimator needs at least 4 samples per batch; the default is 1000',
    );
  }
  const [a, b] = readPair(x, y, METRIC, 4);
  const acc = new MinibatchAccumulator();
  for (const [start, end] of batchRanges(a.rows, batchSize)) acc.addRows(a, b, start, end);
  return acc.value();
}
