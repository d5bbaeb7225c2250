import { badInput, readPair } from '@omniprune/criteria-cka';
import type { Representation } from '@omniprune/plugin-api';
import { centered, columnBasis, symmetricEigen, transposeTimes, times, type Matrix } from './linalg.js';

/** Canonical correlations of two centred matrices (descending) and the canonical variates of the first. */
export function canonicalCorrelations(x: Matrix, y: Matrix): { rho: Float64Array; variates: Matrix } {
  const qx = columnBasis(x);
  const qy = columnBasis(y);
  const k = Math.min(qx.cols, qy.cols);
  if (k === 0) return { rho: new Float64Array(0), variates: { rows: x.rows, cols: 0, data: new Float64Array(0) } };
  const t = transposeTimes(qx, qy);
  const { values, vectors } = symmetricEigen(times(t, { rows: t.cols, cols: t.rows, data: transposeOf(t) }));
  const rho = Float64Array.from({ length: k }, (_, i) => Math.min(1, Math.sqrt(Math.max(0, values[i]))));
  const u = new Float64Array(qx.cols * k);
  for (let r = 0; r < qx.cols; r++) for (let c = 0; c < k; c++) u[r * k + c] = vectors.data[r * qx.cols + c];
  return { rho, variates: times(qx, { rows: qx.cols, cols: k, data: u }) };
}

function transposeOf(m: Matrix): Float64Array {
  const out = new Float64Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out[j * m.rows + i] = m.data[i * m.cols + j];
  return out;
}

/** Keep the top singular directions of a centred matrix explaining `keep` of its variance: `X V_k`. */
export function svdReduce(m: Matrix, keep: number): Matrix {
  const { values, vectors } = symmetricEigen(transposeTimes(m, m));
  const total = values.reduce((s, v) => s + Math.max(0, v), 0);
  let k = 0;
  for (let acc = 0; k < values.length && acc < keep * total; k++) acc += Math.max(0, values[k]);
  const v = new Float64Array(m.cols * k);
  for (let r = 0; r < m.cols; r++) for (let c = 0; c < k; c++) v[r * k + c] = vectors.data[r * m.cols + c];
  return times(m, { rows: m.cols, cols: k, data: v });
}

function centredPair(x: Representation, y: Representation, metric: string): [Matrix, Matrix] {
  const [a, b] = readPair(x, y, metric, 2);
  if (a.rows <= Math.max(a.cols, b.cols)) {
    badInput(
      metric,
      `CCA needs more samples than features: ${a.rows} samples, ${a.cols} and ${b.cols} features`,
      'use more samples than the wider representation has features',
    );
  }
  return [centered(a.rows, a.cols, a.data), centered(b.rows, b.cols, b.data)];
}

/** Options of {@link svcca}. */
export interface SvccaOptions {
  /** Share of each representation's variance its kept singular directions explain. Default 0.99. */
  keep?: number;
}

/**
 * SVCCA (Raghu et al. 2017): reduce each centred representation to the singular directions explaining `keep` of
 * its variance, then average the canonical correlations of the two reductions. In [0, 1].
 * @example
 * svcca(parentFeatures, candidateFeatures, { keep: 0.99 })
 */
export function svcca(x: Representation, y: Representation, options: SvccaOptions = {}): number {
  const keep = options.keep ?? 0.99;
  if (!(keep > 0 && keep <= 1)) badInput('svcca', `keep must be in (0, 1], got ${keep}`, 'e.g. keep: 0.99');
  const [a, b] = centredPair(x, y, 'svcca');
  const { rho } = canonicalCorrelations(svdReduce(a, keep), svdReduce(b, keep));
  return rho.length === 0 ? 0 : rho.reduce((s, v) => s + v, 0) / rho.length;
}

/**
 * Projection-weighted CCA (Morcos et al. 2018): canonical correlations weighted by how much of the
 * representation each canonical variate accounts for, `alpha_i ~ sum_j |<h_i, z_j>|` over the centred features
 * `z_j` of the side with fewer features (x on ties). In [0, 1]; not symmetric.
 * @example
 * pwcca(parentFeatures, candidateFeatures)
 */
export function pwcca(x: Representation, y: Representation): number {
  const [a, b] = centredPair(x, y, 'pwcca');
  const [side, other] = a.cols <= b.cols ? [a, b] : [b, a];
  const { rho, variates } = canonicalCorrelations(side, other);
  if (rho.length === 0) return 0;
  const projections = transposeTimes(variates, side);
  const weights = Float64Array.from({ length: rho.length }, (_, i) => {
    let s = 0;
    for (let j = 0; j < side.cols; j++) s += Math.abs(projections.data[i * side.cols + j]);
    return s;
  });
  const total = weights.reduce((s, w) => s + w, 0);
  return weights.reduce((s, w, i) => s + (w / total) * rho[i], 0);
}
