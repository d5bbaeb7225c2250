import type { Representation } from '@omniprune/core';
import { DEGENERATE_CKA } from './linear-cka.js';
import { checkPair, gram, toMatrix, type Matrix } from './matrix.js';

/** Options of {@link rbfCKA}. */
export interface RbfCkaOptions {
  /** Bandwidth: sigma = threshold * sqrt(median squared distance). Default 1. */
  threshold?: number;
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * RBF Gram matrix as Kornblith's `gram_rbf`: `exp(-d^2 / (2 threshold^2 median(d^2)))`, the median taken over
 * all `n x n` squared distances (diagonal zeros included).
 */
export function rbfGram(m: Matrix, threshold: number): Float64Array {
  const n = m.rows;
  const dot = gram(m);
  const sq = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sq[i * n + j] = Math.max(0, dot[i * n + i] + dot[j * n + j] - 2 * dot[i * n + j]);
  const scale = 2 * threshold * threshold * median(sq);
  for (let i = 0; i < sq.length; i++) sq[i] = scale > 0 ? Math.exp(-sq[i] / scale) : 1;
  return sq;
}

/** Double-centre a symmetric `n x n` Gram matrix in place (H K H). */
export function centerGram(k: Float64Array, n: number): Float64Array {
  const rowMean = new Float64Array(n);
  let all = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) rowMean[i] += k[i * n + j];
    all += rowMean[i];
    rowMean[i] /= n;
  }
  all /= n * n;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) k[i * n + j] += all - rowMean[i] - rowMean[j];
  return k;
}

function frobeniusDot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * CKA with RBF kernels (Kornblith et al. 2019): biased HSIC of the centred RBF Gram matrices. Forms `n x n`
 * matrices, so keep n in the low thousands.
 * @example
 * rbfCKA(x, y, { threshold: 0.5 })
 */
export function rbfCKA(x: Representation, y: Representation, options: RbfCkaOptions = {}): number {
  const threshold = options.threshold ?? 1;
  const a = toMatrix(x, 'x');
  const b = toMatrix(y, 'y');
  checkPair(a, b, 2, 'rbfCKA');
  const n = a.rows;
  const kx = centerGram(rbfGram(a, threshold), n);
  const ky = centerGram(rbfGram(b, threshold), n);
  const den = Math.sqrt(frobeniusDot(kx, kx) * frobeniusDot(ky, ky));
  const value = frobeniusDot(kx, ky) / den;
  return den > 0 && Number.isFinite(value) ? value : DEGENERATE_CKA;
}
