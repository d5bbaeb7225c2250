import type { Representation, SimilarityAccumulator } from '@omniprune/core';
import { DEGENERATE_CKA } from './linear-cka.js';
import { checkPair, gram, rowSlice, toMatrix, type Matrix } from './matrix.js';

/**
 * Unbiased HSIC (Song et al. 2012) of two `n x n` linear Gram matrices:
 * `[tr(K~L~) + 1'K~1 1'L~1 / ((n-1)(n-2)) - 2/(n-2) 1'K~L~1] / (n(n-3))`, K~ = K with a zero diagonal.
 */
export function unbiasedHsic(k: Float64Array, l: Float64Array, n: number): number {
  const kt = Float64Array.from(k);
  const lt = Float64Array.from(l);
  for (let i = 0; i < n; i++) kt[i * n + i] = lt[i * n + i] = 0;
  let trace = 0;
  let sumK = 0;
  let sumL = 0;
  let cross = 0;
  const rowK = new Float64Array(n);
  const rowL = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      trace += kt[i * n + j] * lt[j * n + i];
      rowK[i] += kt[i * n + j];
      rowL[i] += lt[i * n + j];
    }
    sumK += rowK[i];
    sumL += rowL[i];
  }
  for (let i = 0; i < n; i++) cross += rowK[i] * rowL[i];
  return (trace + (sumK * sumL) / ((n - 1) * (n - 2)) - (2 / (n - 2)) * cross) / (n * (n - 3));
}

class MinibatchAccumulator implements SimilarityAccumulator {
  private xy = 0;
  private xx = 0;
  private yy = 0;
  private batches = 0;

  add(x: Representation, y: Representation): void {
    this.addMatrices(toMatrix(x, 'x'), toMatrix(y, 'y'));
  }

  addMatrices(a: Matrix, b: Matrix): void {
    checkPair(a, b, 4, 'minibatch CKA batch');
    const k = gram(a);
    const l = gram(b);
    this.xy += unbiasedHsic(k, l, a.rows);
    this.xx += unbiasedHsic(k, k, a.rows);
    this.yy += unbiasedHsic(l, l, a.rows);
    this.batches++;
  }

  value(): number {
    const den = Math.sqrt(this.xx * this.yy);
    return this.batches > 0 && den > 0 && Number.isFinite(this.xy / den) ? this.xy / den : DEGENERATE_CKA;
  }
}

/**
 * Streaming minibatch CKA (Nguyen et al. 2021): unbiased HSIC of linear kernels averaged over aligned batches,
 * `mean HSIC(K,L) / sqrt(mean HSIC(K,K) mean HSIC(L,L))`. Memory is one batch's Gram matrix, so it scales to
 * 50k samples. Each batch needs at least 4 samples.
 * @example
 * const acc = createMinibatchCKA(); for (const [xb, yb] of batches) acc.add(xb, yb); acc.value();
 */
export function createMinibatchCKA(): SimilarityAccumulator {
  return new MinibatchAccumulator();
}

/** Options of {@link minibatchCKA}. */
export interface MinibatchCkaOptions {
  /** Samples per batch (>= 4). Default 1000. A final remainder of fewer than 4 samples is dropped. */
  batchSize?: number;
}

/**
 * Minibatch CKA over consecutive batches of `batchSize` rows of `x` and `y`.
 * @example
 * minibatchCKA(features50k, otherFeatures50k, { batchSize: 1000 })
 */
export function minibatchCKA(x: Representation, y: Representation, options: MinibatchCkaOptions = {}): number {
  const batchSize = options.batchSize ?? 1000;
  const a = toMatrix(x, 'x');
  const b = toMatrix(y, 'y');
  checkPair(a, b, 4, 'minibatchCKA');
  const acc = new MinibatchAccumulator();
  for (let start = 0; start < a.rows; start += batchSize) {
    const count = Math.min(batchSize, a.rows - start);
    if (count < 4) break;
    acc.addMatrices(rowSlice(a, start, count), rowSlice(b, start, count));
  }
  return acc.value();
}
