import type { FeatureMatrix } from './representation.js';

/**
 * Float64 sums over samples of two column-centred representations Xc (n x p) and Yc (n x q), from which biased and
 * unbiased linear-kernel HSIC follow. With K = Xc Xc^T and L = Yc Yc^T: `xy = <K, L> = ||Yc^T Xc||_F^2`,
 * `xx = ||Xc^T Xc||_F^2`, `yy = ||Yc^T Yc||_F^2`, and `a_i = K_ii = ||xc_i||^2`, `b_i = L_ii`.
 */
export interface LinearStats {
  readonly n: number;
  readonly xy: number;
  readonly xx: number;
  readonly yy: number;
  readonly sumA: number;
  readonly sumB: number;
  readonly sumAB: number;
  readonly sumAA: number;
  readonly sumBB: number;
}

/**
 * Column means of rows `start..end-1`, two-pass (mean, then the mean of the residuals) so that large offsets
 * (features around 100 with unit spread) centre accurately; a constant column gets its value exactly, so it
 * centres to exact zeros.
 */
export function columnMeans(m: FeatureMatrix, start: number, end: number): Float64Array {
  const { cols, data } = m;
  const n = end - start;
  const mean = new Float64Array(cols);
  const constant = new Uint8Array(cols).fill(1);
  for (let i = start; i < end; i++) {
    const o = i * cols;
    for (let k = 0; k < cols; k++) mean[k] += data[o + k];
  }
  for (let k = 0; k < cols; k++) mean[k] /= n;
  const residual = new Float64Array(cols);
  for (let i = start; i < end; i++) {
    const o = i * cols;
    for (let k = 0; k < cols; k++) {
      const v = data[o + k];
      residual[k] += v - mean[k];
      if (v !== data[start * cols + k]) constant[k] = 0;
    }
  }
  for (let k = 0; k < cols; k++) mean[k] = constant[k] ? data[start * cols + k] : mean[k] + residual[k] / n;
  return mean;
}

/**
 * Statistics in feature space: accumulates `Z^T Z` for the centred, concatenated rows `z = [xc, yc]`
 * ((p+q) x (p+q), upper triangle) and reads `||Xc^T Xc||`, `||Yc^T Yc||`, `||Yc^T Xc||` from its blocks.
 * O(n (p+q)^2 / 2) time, O((p+q)^2) memory; no n x n matrix.
 */
export function featureSpaceStats(x: FeatureMatrix, y: FeatureMatrix, start = 0, end = x.rows): LinearStats {
  const p = x.cols;
  const q = y.cols;
  const d = p + q;
  const mx = columnMeans(x, start, end);
  const my = columnMeans(y, start, end);
  const xd = x.data;
  const yd = y.data;
  // BLOCK centred rows at a time, so each entry of g is loaded and stored once per BLOCK products
  const z = new Float64Array(BLOCK * d);
  const g = new Float64Array(d * d);
  let sumA = 0,
    sumB = 0,
    sumAB = 0,
    sumAA = 0,
    sumBB = 0;
  for (let i0 = start; i0 < end; i0 += BLOCK) {
    const rows = Math.min(BLOCK, end - i0);
    z.fill(0); // rows past `end` stay zero and add nothing
    for (let r = 0; r < rows; r++) {
      const i = i0 + r;
      const zo = r * d;
      let a = 0;
      let b = 0;
      for (let k = 0, o = i * p; k < p; k++) {
        const v = xd[o + k] - mx[k];
        z[zo + k] = v;
        a += v * v;
      }
      for (let k = 0, o = i * q; k < q; k++) {
        const v = yd[o + k] - my[k];
        z[zo + p + k] = v;
        b += v * v;
      }
      sumA += a;
      sumB += b;
      sumAB += a * b;
      sumAA += a * a;
      sumBB += b * b;
    }
    accumulateBlock(z, g, d);
  }
  let xx = 0,
    yy = 0,
    xy = 0;
  for (let r = 0; r < d; r++) {
    for (let c = r; c < d; c++) {
      const s = g[r * d + c] ** 2;
      if (c < p) xx += r === c ? s : 2 * s;
      else if (r >= p) yy += r === c ? s : 2 * s;
      else xy += s;
    }
  }
  return { n: end - start, xy, xx, yy, sumA, sumB, sumAB, sumAA, sumBB };
}

const BLOCK = 8;

/** `g += Z^T Z` (upper triangle) for a block of 8 rows `z` of length `d` each. */
function accumulateBlock(z: Float64Array, g: Float64Array, d: number): void {
  const d2 = 2 * d,
    d3 = 3 * d,
    d4 = 4 * d,
    d5 = 5 * d,
    d6 = 6 * d,
    d7 = 7 * d;
  for (let r = 0; r < d; r++) {
    const v0 = z[r],
      v1 = z[d + r],
      v2 = z[d2 + r],
      v3 = z[d3 + r],
      v4 = z[d4 + r],
      v5 = z[d5 + r],
      v6 = z[d6 + r],
      v7 = z[d7 + r];
    const o = r * d;
    for (let c = r; c < d; c++) {
      g[o + c] += v0 * z[c] + v1 * z[d + c] + v2 * z[d2 + c] + v3 * z[d3 + c] + v4 * z[d4 + c] + v5 * z[d5 + c] + v6 * z[d6 + c] + v7 * z[d7 + c];
    }
  }
}

function centredCopy(m: FeatureMatrix, start: number, end: number): Float64Array {
  const mean = columnMeans(m, start, end);
  const { cols, data } = m;
  const out = new Float64Array((end - start) * cols);
  for (let i = start; i < end; i++) {
    for (let k = 0; k < cols; k++) out[(i - start) * cols + k] = data[i * cols + k] - mean[k];
  }
  return out;
}

/** `out[j] = a_i . a_j` for j = i..n-1 (rows of `cols` values), four rows j at a time so `a_i` is read once per four. */
function rowDots(a: Float64Array, i: number, n: number, cols: number, out: Float64Array): void {
  const oi = i * cols;
  let j = i;
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
      const v = a[oi + k];
      s0 += v * a[o0 + k];
      s1 += v * a[o1 + k];
      s2 += v * a[o2 + k];
      s3 += v * a[o3 + k];
    }
    out[j] = s0;
    out[j + 1] = s1;
    out[j + 2] = s2;
    out[j + 3] = s3;
  }
  for (; j < n; j++) {
    let s = 0;
    for (let k = 0, oj = j * cols; k < cols; k++) s += a[oi + k] * a[oj + k];
    out[j] = s;
  }
}

/**
 * Statistics from sample pairs: `<K, L> = sum_ij (xc_i . xc_j)(yc_i . yc_j)`, one row of K and L at a time.
 * O(n^2 (p+q) / 2) time, O(n (p+q)) memory: cheaper than feature space when there are fewer samples than features.
 */
export function pairwiseStats(x: FeatureMatrix, y: FeatureMatrix, start = 0, end = x.rows): LinearStats {
  const n = end - start;
  const xc = centredCopy(x, start, end);
  const yc = centredCopy(y, start, end);
  const k = new Float64Array(n);
  const l = new Float64Array(n);
  let xy = 0,
    xx = 0,
    yy = 0,
    sumA = 0,
    sumB = 0,
    sumAB = 0,
    sumAA = 0,
    sumBB = 0;
  for (let i = 0; i < n; i++) {
    rowDots(xc, i, n, x.cols, k);
    rowDots(yc, i, n, y.cols, l);
    const a = k[i];
    const b = l[i];
    sumA += a;
    sumB += b;
    sumAB += a * b;
    sumAA += a * a;
    sumBB += b * b;
    let kl = 0,
      kk = 0,
      ll = 0;
    for (let j = i + 1; j < n; j++) {
      kl += k[j] * l[j];
      kk += k[j] * k[j];
      ll += l[j] * l[j];
    }
    xy += a * b + 2 * kl;
    xx += a * a + 2 * kk;
    yy += b * b + 2 * ll;
  }
  return { n, xy, xx, yy, sumA, sumB, sumAB, sumAA, sumBB };
}

/** Linear statistics of rows `start..end-1`, by whichever of the two equivalent forms is cheaper. */
export function linearStats(x: FeatureMatrix, y: FeatureMatrix, start = 0, end = x.rows): LinearStats {
  return end - start < x.cols + y.cols ? pairwiseStats(x, y, start, end) : featureSpaceStats(x, y, start, end);
}

/**
 * Unbiased HSIC_1 (Song et al. 2012) of two linear kernels from centred statistics, as in Kornblith's
 * `_debiased_dot_product_similarity_helper`, divided by n(n-3):
 * `[<K,L> - n/(n-2) sum_i a_i b_i + (sum a)(sum b)/((n-1)(n-2))] / (n(n-3))`.
 */
function hsic1(cross: number, sumPQ: number, sumP: number, sumQ: number, n: number): number {
  return (cross - (n / (n - 2)) * sumPQ + (sumP * sumQ) / ((n - 1) * (n - 2))) / (n * (n - 3));
}

/** Unbiased HSIC_1 of (K, L), (K, K) and (L, L); needs n >= 4. */
export function unbiasedHsics(s: LinearStats): { xy: number; xx: number; yy: number } {
  return {
    xy: hsic1(s.xy, s.sumAB, s.sumA, s.sumB, s.n),
    xx: hsic1(s.xx, s.sumAA, s.sumA, s.sumA, s.n),
    yy: hsic1(s.yy, s.sumBB, s.sumB, s.sumB, s.n),
  };
}
