import type { Representation } from '@omniprune/plugin-api';
import { ckaRatio, DEGENERATE_CKA } from './cka-ratio.js';
import { medianWithZeroDiagonal } from './order-statistics.js';
import { badInput, readPair, type FeatureMatrix } from './representation.js';

/** Options of {@link rbfCKA}. */
export interface RbfCkaOptions {
  /**
   * Bandwidth factor: `sigma = threshold * sqrt(median squared distance)`, the median taken as in Kornblith's
   * `gram_rbf` over all `n x n` squared distances between samples (zero diagonal included). Must be > 0.
   * Default 1. Smaller values emphasise local neighbourhoods; large values approach linear CKA.
   */
  threshold?: number;
}

/** Squared Euclidean distances of all sample pairs i < j (row-major upper triangle), in float64, four j at a time. */
function pairDistances(m: FeatureMatrix): Float64Array {
  const { rows: n, cols } = m;
  const data = Float64Array.from(m.data);
  const out = new Float64Array((n * (n - 1)) / 2);
  let t = 0;
  for (let i = 0; i < n; i++) {
    const oi = i * cols;
    let j = i + 1;
    for (; j + 3 < n; j += 4) {
      const o0 = j * cols,
        o1 = o0 + cols,
        o2 = o1 + cols,
        o3 = o2 + cols;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let k = 0; k < cols; k++) {
        const v = data[oi + k];
        const e0 = v - data[o0 + k],
          e1 = v - data[o1 + k],
          e2 = v - data[o2 + k],
          e3 = v - data[o3 + k];
        s0 += e0 * e0;
        s1 += e1 * e1;
        s2 += e2 * e2;
        s3 += e3 * e3;
      }
      out[t++] = s0;
      out[t++] = s1;
      out[t++] = s2;
      out[t++] = s3;
    }
    for (; j < n; j++) {
      let s = 0;
      for (let k = 0, oj = j * cols; k < cols; k++) {
        const e = data[oi + k] - data[oj + k];
        s += e * e;
      }
      out[t++] = s;
    }
  }
  return out;
}

/**
 * Turn the pair distances into RBF kernel values in place and return Kornblith's (biased) centring offsets
 * `mu_i = mean_j K_ij - mean(K) / 2`, so that the centred kernel is `K_ij - mu_i - mu_j`. Returns null for a
 * constant representation (all distances zero).
 */
function rbfKernel(dist: Float64Array, n: number, threshold: number, scratch: Float64Array, what: string): Float64Array | null {
  let farthest = 0;
  for (let t = 0; t < dist.length; t++) if (dist[t] > farthest) farthest = dist[t];
  if (farthest === 0) return null;
  const median = medianWithZeroDiagonal(dist, n, scratch);
  if (!(median > 0)) {
    badInput(
      'rbf-cka',
      `the median squared distance between the samples of ${what} is 0 (most samples have identical features), so the RBF bandwidth is undefined`,
      'remove duplicate samples, use more varied samples, or use linear-cka',
    );
  }
  const scale = 2 * threshold * threshold * median;
  const rowSum = new Float64Array(n).fill(1); // K_ii = 1
  let t = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const k = Math.exp(-dist[t] / scale);
      dist[t++] = k;
      rowSum[i] += k;
      rowSum[j] += k;
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += rowSum[i];
  const mu = rowSum;
  for (let i = 0; i < n; i++) mu[i] = rowSum[i] / n - total / (2 * n * n);
  return mu;
}

/**
 * CKA with RBF kernels (Kornblith et al. 2019): biased HSIC of the centred Gram matrices
 * `K_ij = exp(-||x_i - x_j||^2 / (2 sigma^2))`, with `sigma^2 = threshold^2 * median of all n x n squared distances`
 * (Kornblith's `gram_rbf`, so the n zero distances of the diagonal are part of the median).
 *
 * Invariant to orthogonal transforms, translations and isotropic scaling (the bandwidth scales with the data).
 * Computed in float64 on the host without storing a Gram matrix, but it needs every pair distance:
 * O(n^2 (p+q)) time and about 3 n^2 / 2 float64 values of memory, so keep n in the low thousands (the
 * minibatch or linear metrics scale further). A constant representation gives {@link DEGENERATE_CKA} (0); more
 * than half of the sample pairs being identical (median distance 0) throws `E_BAD_INPUT`. Same input checks as
 * {@link linearCKA}.
 * @example
 * rbfCKA(x, y);                     // threshold 1
 * rbfCKA(x, y, { threshold: 0.5 }); // narrower kernels
 */
export function rbfCKA(x: Representation, y: Representation, options: RbfCkaOptions = {}): number {
  const threshold = options.threshold ?? 1;
  if (!(typeof threshold === 'number' && threshold > 0 && Number.isFinite(threshold))) {
    badInput('rbf-cka', `threshold must be a finite number > 0, got ${String(threshold)}`, 'the default is 1 (sigma = sqrt(median squared distance))');
  }
  const [a, b] = readPair(x, y, 'rbf-cka', 2);
  const n = a.rows;
  const kx = pairDistances(a);
  const ky = pairDistances(b);
  const scratch = new Float64Array(kx.length);
  const mx = rbfKernel(kx, n, threshold, scratch, 'x');
  const my = rbfKernel(ky, n, threshold, scratch, 'y');
  if (!mx || !my) return DEGENERATE_CKA;
  let xy = 0,
    xx = 0,
    yy = 0;
  for (let i = 0; i < n; i++) {
    const ci = 1 - 2 * mx[i];
    const di = 1 - 2 * my[i];
    xy += ci * di;
    xx += ci * ci;
    yy += di * di;
  }
  let t = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++, t++) {
      const c = kx[t] - mx[i] - mx[j];
      const d = ky[t] - my[i] - my[j];
      xy += 2 * c * d;
      xx += 2 * c * c;
      yy += 2 * d * d;
    }
  }
  return ckaRatio(xy, xx, yy);
}
