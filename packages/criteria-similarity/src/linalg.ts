/**
 * Small dense float64 linear algebra for similarity metrics on feature matrices (features <= a few hundred):
 * row-major matrices as `Float64Array`, symmetric eigendecomposition by cyclic Jacobi rotations.
 */

/** A row-major matrix. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Copy `data` (`rows x cols`, row-major) with every column centred to mean 0. */
export function centered(rows: number, cols: number, data: ArrayLike<number>): Matrix {
  const out = Float64Array.from(data as ArrayLike<number>);
  for (let j = 0; j < cols; j++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += out[i * cols + j];
    mean /= rows;
    for (let i = 0; i < rows; i++) out[i * cols + j] -= mean;
  }
  return { rows, cols, data: out };
}

/** `a^T b` for two matrices with the same rows. */
export function transposeTimes(a: Matrix, b: Matrix): Matrix {
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
  return { rows: a.cols, cols: b.cols, data: out };
}

/** `a b`. */
export function times(a: Matrix, b: Matrix): Matrix {
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const v = a.data[i * a.cols + k];
      if (v === 0) continue;
      for (let j = 0; j < b.cols; j++) out[i * b.cols + j] += v * b.data[k * b.cols + j];
    }
  }
  return { rows: a.rows, cols: b.cols, data: out };
}

/** Frobenius norm. */
export function frobenius(m: Matrix): number {
  let s = 0;
  for (const v of m.data) s += v * v;
  return Math.sqrt(s);
}

/**
 * Eigendecomposition of a symmetric matrix: eigenvalues in descending order and the matching unit eigenvectors
 * as the columns of `vectors`.
 */
export function symmetricEigen(m: Matrix): { values: Float64Array; vectors: Matrix } {
  const n = m.rows;
  const a = Float64Array.from(m.data);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) i === j ? (total += a[i * n + j] ** 2) : (off += a[i * n + j] ** 2);
    if (off <= 1e-30 * Math.max(total, 1e-300)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  return { values, vectors: { rows: n, cols: n, data: vectors } };
}

/** Singular values of `m`, descending (square roots of the eigenvalues of the smaller Gram matrix). */
export function singularValues(m: Matrix): Float64Array {
  const gram = m.rows >= m.cols ? transposeTimes(m, m) : transposeTimes(transpose(m), transpose(m));
  return symmetricEigen(gram).values.map((v) => Math.sqrt(Math.max(0, v)));
}

/** The transpose. */
export function transpose(m: Matrix): Matrix {
  const out = new Float64Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out[j * m.rows + i] = m.data[i * m.cols + j];
  return { rows: m.cols, cols: m.rows, data: out };
}

/**
 * An orthonormal basis of the column space of a centred matrix, from the eigendecomposition of its covariance
 * (directions with variance below `relTol x` the largest are dropped): `n x k`.
 */
export function columnBasis(m: Matrix, relTol = 1e-10): Matrix {
  const { values, vectors } = symmetricEigen(transposeTimes(m, m));
  const keep = [...values.keys()].filter((i) => values[i] > relTol * Math.max(values[0], 1e-300));
  const proj = new Float64Array(m.cols * keep.length);
  keep.forEach((col, c) => {
    for (let k = 0; k < m.cols; k++) proj[k * keep.length + c] = vectors.data[k * m.cols + col] / Math.sqrt(values[col]);
  });
  return times(m, { rows: m.cols, cols: keep.length, data: proj });
}
