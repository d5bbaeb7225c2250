import type * as tf from '@tensorflow/tfjs-core';
import { OmnipruneError, type Representation } from '@omniprune/core';

/** A dense row-major float64 matrix. */
export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** Copy a representation (tensor or nested array) into a float64 matrix, rejecting ragged or non-finite input. */
export function toMatrix(x: Representation, what: string): Matrix {
  if (Array.isArray(x)) {
    const rows = x.length;
    const cols = rows ? x[0].length : 0;
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      if (x[i].length !== cols) throw new OmnipruneError('E_BAD_INPUT', `${what} row ${i} has ${x[i].length} features, row 0 has ${cols}`, { hint: 'every sample needs the same number of features' });
      data.set(x[i], i * cols);
    }
    return checkFinite({ data, rows, cols }, what);
  }
  const t = x as tf.Tensor2D;
  if (t.rank !== 2) throw new OmnipruneError('E_BAD_INPUT', `${what} must be 2-D (samples x features), got shape [${t.shape.join(', ')}]`, { hint: 'flatten each sample first' });
  return checkFinite({ data: Float64Array.from(t.dataSync()), rows: t.shape[0], cols: t.shape[1] }, what);
}

function checkFinite(m: Matrix, what: string): Matrix {
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i])) throw new OmnipruneError('E_BAD_INPUT', `${what} holds a non-finite value (${m.data[i]}) at row ${Math.floor(i / m.cols)}`, { hint: 'features with NaN/Inf usually mean a diverged model' });
  }
  return m;
}

/** Check that two representations describe the same samples, with at least `minRows` of them. */
export function checkPair(x: Matrix, y: Matrix, minRows: number, metric: string): void {
  if (x.rows !== y.rows) {
    throw new OmnipruneError('E_BAD_INPUT', `${metric}: x has ${x.rows} samples (shape [${x.rows}, ${x.cols}]) but y has ${y.rows} (shape [${y.rows}, ${y.cols}])`, { hint: 'both representations must be taken on the same samples, in the same order' });
  }
  if (x.rows < minRows) throw new OmnipruneError('E_BAD_INPUT', `${metric} needs at least ${minRows} samples, got ${x.rows}`, { hint: 'use more samples' });
}

/** Subtract each column's mean (a new matrix). */
export function centerColumns(m: Matrix): Matrix {
  const mean = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) mean[j] += m.data[i * m.cols + j];
  for (let j = 0; j < m.cols; j++) mean[j] /= m.rows || 1;
  const data = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) data[i * m.cols + j] = m.data[i * m.cols + j] - mean[j];
  return { data, rows: m.rows, cols: m.cols };
}

/** `a^T b` for matrices with the same rows: `a.cols x b.cols`. */
export function crossProduct(a: Matrix, b: Matrix): Float64Array {
  const out = new Float64Array(a.cols * b.cols);
  for (let r = 0; r < a.rows; r++) {
    const ar = r * a.cols;
    const br = r * b.cols;
    for (let i = 0; i < a.cols; i++) {
      const v = a.data[ar + i];
      if (v === 0) continue;
      const o = i * b.cols;
      for (let j = 0; j < b.cols; j++) out[o + j] += v * b.data[br + j];
    }
  }
  return out;
}

/** `m m^T`: the `rows x rows` linear Gram matrix. */
export function gram(m: Matrix): Float64Array {
  const n = m.rows;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < m.cols; k++) s += m.data[i * m.cols + k] * m.data[j * m.cols + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** Sum of squares of all entries. */
export function squaredNorm(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return s;
}

/** Rows `start..start+count-1` of a matrix (a view-free copy). */
export function rowSlice(m: Matrix, start: number, count: number): Matrix {
  return { data: m.data.slice(start * m.cols, (start + count) * m.cols), rows: count, cols: m.cols };
}
