import type { Representation } from '@omniprune/plugin-api';
import { ckaRatio } from './cka-ratio.js';
import { linearStats, unbiasedHsics } from './linear-stats.js';
import { readPair } from './representation.js';

/**
 * Linear CKA (Kornblith et al. 2019) with the standard, biased HSIC estimator: after centring the columns of
 * `x` (n x p) and `y` (n x q), `||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F)`. This is the paper's selection metric.
 *
 * - Rows are samples, in the same order in both; features of any layer are flattened by the caller.
 * - Computed in float64 on the host, in feature space (`(p+q) x (p+q)` sums, no `n x n` matrix) when
 *   `n >= p + q`, from sample pairs otherwise; O(n min(n, p+q) (p+q)) time. Inputs are read, never disposed;
 *   no tensor is created.
 * - In [0, 1]; invariant to orthogonal transforms and isotropic scaling of either representation, not to
 *   arbitrary invertible linear maps.
 * - A constant representation (zero variance) gives {@link DEGENERATE_CKA} (0).
 * - Throws `OmnipruneError('E_BAD_INPUT')` when the numbers of rows differ, with fewer than 2 samples, no
 *   features, NaN/Infinity, a ragged `number[][]` or a tensor that is not 2-D.
 * @example
 * const parent = tf.randomNormal([10_000, 64]) as tf.Tensor2D;     // e.g. penultimate features
 * const scaled = tf.mul(parent, 3) as tf.Tensor2D;
 * linearCKA(parent, parent);                                      // 1
 * linearCKA(parent, scaled);                                      // 1 (isotropic scaling)
 * tf.dispose([parent, scaled]);                                   // the caller owns its tensors
 * linearCKA([[1, 2], [3, 4], [5, 7]], [[0], [1], [3]]);           // plain arrays work too
 */
export function linearCKA(x: Representation, y: Representation): number {
  const [a, b] = readPair(x, y, 'linear-cka', 2);
  const s = linearStats(a, b);
  return ckaRatio(s.xy, s.xx, s.yy);
}

/**
 * Debiased linear CKA: linear CKA with the unbiased HSIC estimator of Song et al. (2012), equal to Kornblith's
 * `feature_space_linear_cka(x, y, debiased=True)` and to `cka(gram_linear(x), gram_linear(y), debiased=True)`.
 * Less biased upwards than {@link linearCKA} when there are few samples relative to features; can be slightly
 * negative for unrelated representations.
 *
 * Needs at least 4 samples. Same input rules, numerics and cost as {@link linearCKA}; a constant representation,
 * or a non-positive unbiased self-similarity (possible only with very few samples), gives
 * {@link DEGENERATE_CKA} (0).
 * @example
 * debiasedLinearCKA(x, x);  // 1
 * debiasedLinearCKA(x, y);  // <= linearCKA(x, y) typically, closer to the population value for small n
 */
export function debiasedLinearCKA(x: Representation, y: Representation): number {
  const [a, b] = readPair(x, y, 'debiased-linear-cka', 4);
  const h = unbiasedHsics(linearStats(a, b));
  return ckaRatio(h.xy, h.xx, h.yy);
}
