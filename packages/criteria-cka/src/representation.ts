import type * as tf from '@tensorflow/tfjs-core';
import { OmnipruneError } from '@omniprune/core';
import type { Representation } from '@omniprune/plugin-api';

/**
 * Row-major, read-only view of a representation: `rows` samples x `cols` features. For a tensor `data` is what
 * `dataSync()` returns (it may alias the backend's storage, so it is never written); for `number[][]` a float64 copy.
 */
export interface FeatureMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: ArrayLike<number>;
}

/** Throw the package's input error: code `E_BAD_INPUT`, tagged with the criterion's plugin name. */
export function badInput(metric: string, message: string, hint: string): never {
  throw new OmnipruneError('E_BAD_INPUT', message, { plugin: `criterion:${metric}`, hint });
}

function isTensor(r: unknown): r is tf.Tensor {
  return typeof r === 'object' && r !== null && !Array.isArray(r) && typeof (r as tf.Tensor).dataSync === 'function' && Array.isArray((r as tf.Tensor).shape);
}

const FLATTEN_HINT = 'pass samples x features: flatten each sample first, e.g. tf.reshape(t, [n, -1])';

/** Shape `[rows, cols]` of a representation, checked to be a 2-D tensor or a rectangular `number[][]`. */
function shapeOf(r: Representation, what: string, metric: string): [number, number] {
  if (isTensor(r)) {
    if (r.isDisposed) badInput(metric, `${what} is a disposed tensor`, 'keep the features alive until the similarity is computed');
    if (r.shape.length !== 2) badInput(metric, `${what} must be 2-D (samples x features), got shape [${r.shape.join(', ')}]`, FLATTEN_HINT);
    if (r.dtype !== 'float32' && r.dtype !== 'int32' && r.dtype !== 'bool') {
      badInput(metric, `${what} has dtype ${r.dtype}; expected float32, int32 or bool`, 'cast the features to float32');
    }
    return [r.shape[0], r.shape[1]];
  }
  if (!Array.isArray(r)) badInput(metric, `${what} must be a tf.Tensor2D or a number[][], got ${typeof r}`, FLATTEN_HINT);
  const cols = Array.isArray(r[0]) ? r[0].length : -1;
  for (let i = 0; i < r.length; i++) {
    const row: unknown = r[i];
    if (!Array.isArray(row) || row.length !== cols) {
      const got = Array.isArray(row) ? `${row.length} features` : typeof row;
      badInput(metric, `${what} is not rectangular: row ${i} has ${got}, row 0 has ${cols} features`, FLATTEN_HINT);
    }
  }
  return [r.length, Math.max(cols, 0)];
}

function nonFinite(metric: string, what: string, value: unknown, index: number, cols: number): never {
  const shown = typeof value === 'number' ? String(value) : `a ${typeof value}`;
  return badInput(
    metric,
    `${what} holds ${shown} at row ${Math.floor(index / cols)}, column ${index % cols}`,
    'non-finite features usually mean a diverged model or a bad input pipeline; fix them before comparing',
  );
}

/** Read the values of a representation whose shape was checked, rejecting NaN, infinities and non-numbers. */
function valuesOf(r: Representation, rows: number, cols: number, what: string, metric: string): ArrayLike<number> {
  if (isTensor(r)) {
    const data = r.dataSync() as ArrayLike<number>;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) nonFinite(metric, what, data[i], i, cols);
    return data;
  }
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = r[i];
    for (let j = 0; j < cols; j++) {
      const v = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) nonFinite(metric, what, v, i * cols + j, cols);
      data[i * cols + j] = v;
    }
  }
  return data;
}

function checkSize(metric: string, what: string, rows: number, cols: number, minRows: number): void {
  if (rows < minRows) {
    const why = minRows >= 4 ? 'the unbiased HSIC estimator is defined from 4 samples' : 'CKA compares samples with each other';
    badInput(metric, `needs at least ${minRows} samples, ${what} has ${rows}`, `${why}; use more samples`);
  }
  if (cols === 0) badInput(metric, `${what} has no features (shape [${rows}, 0])`, FLATTEN_HINT);
}

/**
 * Read two representations of the same samples: shapes are checked (same number of rows, at least `minRows`,
 * at least one feature each) before any value is read, then values are checked to be finite.
 */
export function readPair(x: Representation, y: Representation, metric: string, minRows: number): [FeatureMatrix, FeatureMatrix] {
  const [n, p] = shapeOf(x, 'x', metric);
  const [m, q] = shapeOf(y, 'y', metric);
  if (n !== m) {
    badInput(
      metric,
      `x has shape [${n}, ${p}] but y has shape [${m}, ${q}]: they must have the same number of samples (rows)`,
      'take both representations on the same samples, in the same order',
    );
  }
  checkSize(metric, 'x', n, p, minRows);
  checkSize(metric, 'y', m, q, minRows);
  return [
    { rows: n, cols: p, data: valuesOf(x, n, p, 'x', metric) },
    { rows: m, cols: q, data: valuesOf(y, m, q, 'y', metric) },
  ];
}
