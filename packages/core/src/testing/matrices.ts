import type { Rng } from '@omniprune/plugin-api';

/**
 * A `rows x cols` matrix of standard normal samples (Box-Muller, two draws of `rng` per value), row by row.
 * @example
 * const x = gaussianMatrix(createRng(11), 40, 6); // 40 samples of 6 features
 */
export function gaussianMatrix(rng: Rng, rows: number, cols: number): number[][] {
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  return Array.from({ length: rows }, () => Array.from({ length: cols }, normal));
}

/**
 * The product `a b` in float64, plain loops (independent of the code under test).
 * @example
 * matmul([[1, 2]], [[3], [4]]); // [[11]]
 */
export function matmul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}

/**
 * A random `n x n` orthogonal matrix: Q of the QR decomposition (modified Gram-Schmidt) of a Gaussian matrix drawn
 * with {@link gaussianMatrix}. For invariance tests: `matmul(x, randomOrthogonal(rng, p))` rotates the features.
 * @example
 * const rotated = matmul(x, randomOrthogonal(rng, 6));
 */
export function randomOrthogonal(rng: Rng, n: number): number[][] {
  const q: number[][] = [];
  for (const column of gaussianMatrix(rng, n, n)) {
    const v = [...column];
    for (const u of q) {
      const r = v.reduce((s, x, i) => s + x * u[i], 0);
      for (let i = 0; i < n; i++) v[i] -= r * u[i];
    }
    const norm = Math.hypot(...v);
    q.push(v.map((x) => x / norm));
  }
  return q[0].map((_, i) => q.map((col) => col[i])); // columns -> rows
}
