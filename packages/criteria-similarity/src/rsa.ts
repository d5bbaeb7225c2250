import { readPair } from '@omniprune/criteria-cka';
import type { Representation } from '@omniprune/plugin-api';
import { spearman } from './rank-correlation.js';

/** Euclidean distances between every pair of rows (i < j), row-major upper triangle. */
export function dissimilarities(rows: number, cols: number, data: ArrayLike<number>): Float64Array {
  const out = new Float64Array((rows * (rows - 1)) / 2);
  let k = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = i + 1; j < rows; j++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += (data[i * cols + c] - data[j * cols + c]) ** 2;
      out[k++] = Math.sqrt(s);
    }
  }
  return out;
}

/**
 * Representational similarity analysis (Kriegeskorte et al. 2008): the Spearman correlation between the two
 * representations' dissimilarity matrices (Euclidean distances between samples). In [-1, 1]; invariant to
 * orthogonal transforms, translation and isotropic scaling. O(n^2) memory in the number of samples.
 * @example
 * rsa(parentFeatures, candidateFeatures)
 */
export function rsa(x: Representation, y: Representation): number {
  const [a, b] = readPair(x, y, 'rsa', 3);
  const r = spearman(dissimilarities(a.rows, a.cols, a.data), dissimilarities(b.rows, b.cols, b.data));
  return Number.isNaN(r) ? 0 : r; // a constant dissimilarity matrix (all samples alike) shares no structure
}
