import { badInput, readPair } from '@omniprune/criteria-cka';
import type { Representation } from '@omniprune/plugin-api';
import { centered, frobenius, singularValues, transposeTimes, type Matrix } from './linalg.js';

/** Centre the columns and scale to unit Frobenius norm; constant features are an input error. */
export function normalized(metric: string, what: string, rows: number, cols: number, data: ArrayLike<number>): Matrix {
  const m = centered(rows, cols, data);
  const norm = frobenius(m);
  if (norm === 0) badInput(metric, `${what} is constant across samples`, 'compare representations that vary between samples');
  return { rows, cols, data: m.data.map((v) => v / norm) };
}

/**
 * Orthogonal Procrustes similarity (Ding et al. 2021): with both representations centred and scaled to unit
 * Frobenius norm, `||X^T Y||_*` (nuclear norm), in [0, 1]; the Procrustes distance is `2 - 2 x` this. Invariant to
 * orthogonal transforms and isotropic scaling of either side, not to other invertible linear maps.
 * @example
 * procrustesSimilarity(parentFeatures, candidateFeatures) // 1 when one is a rotation of the other
 */
export function procrustesSimilarity(x: Representation, y: Representation): number {
  const [a, b] = readPair(x, y, 'procrustes', 2);
  const m = transposeTimes(normalized('procrustes', 'x', a.rows, a.cols, a.data), normalized('procrustes', 'y', b.rows, b.cols, b.data));
  return Math.min(
    1,
    singularValues(m).reduce((s, v) => s + v, 0),
  );
}
