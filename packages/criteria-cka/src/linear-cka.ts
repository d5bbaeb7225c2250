import type { Representation } from '@omniprune/core';
import { centerColumns, checkPair, crossProduct, squaredNorm, toMatrix, type Matrix } from './matrix.js';

/** Degenerate inputs (a constant representation) give this value instead of NaN. */
export const DEGENERATE_CKA = 0;

function rowSquares(m: Matrix): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out[i] += m.data[i * m.cols + j] ** 2;
  return out;
}

function ratio(num: number, den: number): number {
  return den > 0 && Number.isFinite(num / den) ? num / den : DEGENERATE_CKA;
}

/**
 * Linear CKA (Kornblith et al. 2019, biased HSIC), in feature space so no `n x n` matrix is formed:
 * `||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F)` after centring columns. Computed in float64.
 * A constant representation gives {@link DEGENERATE_CKA} (0).
 * @example
 * linearCKA(x, x) // 1
 */
export function linearCKA(x: Representation, y: Representation): number {
  const a = toMatrix(x, 'x');
  const b = toMatrix(y, 'y');
  checkPair(a, b, 2, 'linearCKA');
  const xc = centerColumns(a);
  const yc = centerColumns(b);
  const num = squaredNorm(crossProduct(yc, xc));
  return ratio(num, Math.sqrt(squaredNorm(crossProduct(xc, xc))) * Math.sqrt(squaredNorm(crossProduct(yc, yc))));
}

/** Kornblith's `_debiased_dot_product_similarity_helper`: unbiased HSIC from feature-space quantities. */
function debiasedDot(xty: number, rowsX: Float64Array, rowsY: Float64Array, normX: number, normY: number, n: number): number {
  let dot = 0;
  for (let i = 0; i < n; i++) dot += rowsX[i] * rowsY[i];
  return xty - (n / (n - 2)) * dot + (normX * normY) / ((n - 1) * (n - 2));
}

/**
 * Debiased linear CKA: CKA with the unbiased HSIC estimator of Song et al. (2012), in feature space
 * (Kornblith's `feature_space_linear_cka(debiased=True)`). Needs at least 4 samples.
 * @example
 * debiasedLinearCKA(x, y) // close to linearCKA(x, y) for many samples, lower for few
 */
export function debiasedLinearCKA(x: Representation, y: Representation): number {
  const a = toMatrix(x, 'x');
  const b = toMatrix(y, 'y');
  checkPair(a, b, 4, 'debiasedLinearCKA');
  const xc = centerColumns(a);
  const yc = centerColumns(b);
  const n = a.rows;
  const rx = rowSquares(xc);
  const ry = rowSquares(yc);
  const nx = rx.reduce((s, v) => s + v, 0);
  const ny = ry.reduce((s, v) => s + v, 0);
  const xy = debiasedDot(squaredNorm(crossProduct(yc, xc)), rx, ry, nx, ny, n);
  const xx = debiasedDot(squaredNorm(crossProduct(xc, xc)), rx, rx, nx, nx, n);
  const yy = debiasedDot(squaredNorm(crossProduct(yc, yc)), ry, ry, ny, ny, n);
  return ratio(xy, Math.sqrt(Math.max(xx, 0)) * Math.sqrt(Math.max(yy, 0)));
}
