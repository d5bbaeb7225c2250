import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMinibatchCKA, debiasedLinearCKA, linearCKA, minibatchCKA, plugins, rbfCKA, rbfCkaPlugin } from '../src/index.js';

interface Case { name: string; x: number[][]; y: number[][]; batchSize: number; linear: number; debiased: number; rbf: Record<string, number>; minibatch: number }
const reference = JSON.parse(readFileSync(new URL('./fixtures/cka-reference.json', import.meta.url), 'utf8')) as { cases: Case[] };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Deterministic pseudo-random matrix. */
function matrix(rows: number, cols: number, seed: number, offset = 0): number[][] {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => next() + offset));
}

/** A random orthogonal matrix (Gram-Schmidt on a random one). */
function orthogonal(n: number, seed: number): number[][] {
  const q: number[][] = [];
  for (const v of matrix(n, n, seed)) {
    const w = [...v];
    for (const u of q) {
      const d = w.reduce((s, x, i) => s + x * u[i], 0);
      for (let i = 0; i < n; i++) w[i] -= d * u[i];
    }
    const norm = Math.hypot(...w);
    q.push(w.map((x) => x / norm));
  }
  return q;
}

const matmul = (a: number[][], b: number[][]) => a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
const METRICS = {
  linear: linearCKA,
  debiased: debiasedLinearCKA,
  rbf: (x: number[][], y: number[][]) => rbfCKA(x, y, { threshold: 1 }),
  minibatch: (x: number[][], y: number[][]) => minibatchCKA(x, y, { batchSize: 20 }),
};

describe('CKA against the numpy reference', () => {
  it.each(reference.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(linearCKA(c.x, c.y)).toBeCloseTo(c.linear, 9);
    expect(debiasedLinearCKA(c.x, c.y)).toBeCloseTo(c.debiased, 9);
    for (const [t, v] of Object.entries(c.rbf)) expect(rbfCKA(c.x, c.y, { threshold: Number(t) })).toBeCloseTo(v, 9);
    expect(minibatchCKA(c.x, c.y, { batchSize: c.batchSize })).toBeCloseTo(c.minibatch, 9);
    const x = tf.tensor2d(c.x);
    const y = tf.tensor2d(c.y);
    expect(linearCKA(x, y)).toBeCloseTo(c.linear, 5);
    tf.dispose([x, y]);
  });
});

describe('invariances', () => {
  const x = matrix(40, 6, 1);
  const y = matrix(40, 6, 2).map((r, i) => r.map((v, j) => v + x[i][j]));
  it.each(Object.entries(METRICS))('%s: CKA(X,X) = 1 and symmetric', (_n, f) => {
    expect(f(x, x)).toBeCloseTo(1, 9);
    expect(f(x, y)).toBeCloseTo(f(y, x), 12);
  });
  it.each(Object.entries(METRICS))('%s: invariant to orthogonal transforms, isotropic scaling and permutation', (_n, f) => {
    const base = f(x, y);
    expect(f(matmul(x, orthogonal(6, 9)), y)).toBeCloseTo(base, 9);
    expect(f(x.map((r) => r.map((v) => v * 7.5)), y)).toBeCloseTo(base, 9);
    expect(f(x.map((r) => [...r].reverse()), y)).toBeCloseTo(base, 9);
  });
  it('linear CKA is not invariant to an arbitrary invertible linear map', () => {
    const stretch = x.map((r) => r.map((v, j) => v * (j === 0 ? 20 : 1)));
    expect(Math.abs(linearCKA(stretch, y) - linearCKA(x, y))).toBeGreaterThan(0.01);
  });
});

describe('numerics and errors', () => {
  it('float32 features 10k x 64 with a large offset match a float64 computation', () => {
    const n = 10_000;
    const a = new Float32Array(n * 64);
    const b = new Float32Array(n * 64);
    let s = 3;
    for (let i = 0; i < a.length; i++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      a[i] = 100 + s / 2147483648;
      b[i] = 0.5 * a[i] + ((i * 7919) % 1000) / 1000;
    }
    const x = tf.tensor2d(a, [n, 64]);
    const y = tf.tensor2d(b, [n, 64]);
    const toRows = (d: Float32Array) => Array.from({ length: n }, (_, i) => Array.from(d.subarray(i * 64, (i + 1) * 64), Number));
    const before = tf.memory().numTensors;
    const fromTensors = linearCKA(x, y);
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.abs(fromTensors - linearCKA(toRows(a), toRows(b)))).toBeLessThan(1e-4);
    expect(fromTensors).toBeGreaterThan(0);
    expect(fromTensors).toBeLessThanOrEqual(1 + 1e-9);
    tf.dispose([x, y]);
  });

  it('streams minibatch CKA to the same value as the one-shot function', () => {
    const c = reference.cases[1];
    const acc = createMinibatchCKA();
    for (let s = 0; s < c.x.length; s += c.batchSize) if (c.x.length - s >= 4) acc.add(c.x.slice(s, s + c.batchSize), c.y.slice(s, s + c.batchSize));
    expect(acc.value()).toBeCloseTo(c.minibatch, 9);
  });

  it('rejects mismatched rows, too few samples and NaN; a constant representation gives 0', () => {
    expect(() => linearCKA(matrix(5, 2, 1), matrix(6, 2, 1))).toThrow(/x has 5 samples \(shape \[5, 2\]\) but y has 6 \(shape \[6, 2\]\)/);
    expect(() => debiasedLinearCKA(matrix(3, 2, 1), matrix(3, 2, 1))).toThrow(/at least 4 samples/);
    expect(() => linearCKA([[1, NaN], [2, 3]], [[1], [2]])).toThrow(/non-finite/);
    expect(linearCKA(matrix(10, 3, 1), Array.from({ length: 10 }, () => [1, 1]))).toBe(0);
  });

  it('registers plugins with validated options', async () => {
    expect(plugins.map((p) => p.name)).toEqual(['linear-cka', 'debiased-linear-cka', 'rbf-cka', 'minibatch-cka']);
    expect(rbfCkaPlugin.options.safeParse({ threshold: -1 }).success).toBe(false);
    const metric = await rbfCkaPlugin.create(rbfCkaPlugin.options.parse({ threshold: 2 }), { log: () => {}, seed: 1 });
    expect(metric.similarity(reference.cases[0].x, reference.cases[0].y)).toBeCloseTo(reference.cases[0].rbf['2.0'] ?? reference.cases[0].rbf['2'], 9);
  });
});
