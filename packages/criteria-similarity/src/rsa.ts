import { readPair } from '@omniprune/criteria-cka';
import type { Representation } from '@omniprune/plugin-api';

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

/** Ranks 1..n with ties sharing their average rank. */
export function ranks(values: Float64Array): Float64Array {
  const order = Array.from(values.keys()).sort((a, b) => values[a] - values[b]);
  const out = new Float64Array(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    for (let k = i; k <= j; k++) out[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
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
  return pearson(ranks(dissimilarities(a.rows, a.cols, a.data)), ranks(dissimilarities(b.rows, b.cols, b.data)));
}
