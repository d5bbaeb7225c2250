import { createRng } from '@omniprune/core/util';
import { describe, expect, it } from 'vitest';
import { debiasedLinearCKA, linearCKA, minibatchCKA, rbfCKA } from '../src/index.js';
import { gaussianMatrix, matmul, randomOrthogonal } from '@omniprune/core/testing';

type Metric = (x: number[][], y: number[][]) => number;

const rng = createRng(11);
const x = gaussianMatrix(rng, 60, 8).map((r) => r.map((v, j) => v * (1 + j))); // anisotropic columns
const mix = gaussianMatrix(rng, 8, 6);
const y = matmul(x, mix).map((r) => r.map((v) => Math.tanh(v / 8) + 0.3 * gaussianMatrix(rng, 1, 1)[0][0]));

const LINEAR_FAMILY: Record<string, Metric> = {
  linearCKA,
  debiasedLinearCKA,
  'minibatchCKA (batches of 20)': (a, b) => minibatchCKA(a, b, { batchSize: 20 }),
};
const ALL: Record<string, Metric> = {
  ...LINEAR_FAMILY,
  'rbfCKA (threshold 1)': (a, b) => rbfCKA(a, b),
  'rbfCKA (threshold 0.5)': (a, b) => rbfCKA(a, b, { threshold: 0.5 }),
};

const orthogonal = (m: number[][]) => matmul(m, randomOrthogonal(createRng(5), m[0].length));
const scaled = (m: number[][], c: number) => m.map((r) => r.map((v) => v * c));
const permuted = (m: number[][]) => {
  const order = createRng(9).shuffle(m[0].map((_, j) => j));
  return m.map((r) => order.map((j) => r[j]));
};
const shifted = (m: number[][]) => m.map((r) => r.map((v, j) => v + 100 + j));

describe.each(Object.entries(ALL))('%s', (_name, cka) => {
  it('CKA(X, X) = 1 and is symmetric', () => {
    expect(cka(x, x)).toBeCloseTo(1, 12);
    expect(cka(y, y)).toBeCloseTo(1, 12);
    expect(cka(x, y)).toBeCloseTo(cka(y, x), 12);
    expect(cka(x, y)).toBeLessThan(0.999);
  });

  it('is invariant to orthogonal transforms, isotropic scaling, column permutation and translation', () => {
    const base = cka(x, y);
    const transforms: Array<[string, number[][]]> = [
      ['orthogonal', orthogonal(x)],
      ['scaled by 7.5', scaled(x, 7.5)],
      ['scaled by 1e-3', scaled(x, 1e-3)],
      ['permuted', permuted(x)],
      ['shifted', shifted(x)],
    ];
    for (const [what, t] of transforms) {
      expect(cka(x, t), `CKA(X, ${what} X)`).toBeCloseTo(1, 10);
      expect(cka(t, y), `CKA(${what} X, Y)`).toBeCloseTo(base, 10);
    }
  });
});

describe.each(Object.entries(LINEAR_FAMILY))('%s', (_name, cka) => {
  it('is not invariant to an arbitrary invertible linear map', () => {
    const a = gaussianMatrix(createRng(3), 8, 8); // invertible with probability 1
    const stretched = x.map((r) => r.map((v, j) => v * (j === 0 ? 20 : 1)));
    expect(cka(x, matmul(x, a))).toBeLessThan(0.99);
    expect(Math.abs(cka(matmul(x, a), y) - cka(x, y))).toBeGreaterThan(0.01);
    expect(Math.abs(cka(stretched, y) - cka(x, y))).toBeGreaterThan(0.01);
  });
});
