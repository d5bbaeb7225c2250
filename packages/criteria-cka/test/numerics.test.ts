import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@omniprune/core/util';
import { isOmnipruneError } from '@omniprune/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMinibatchCKA, debiasedLinearCKA, DEGENERATE_CKA, linearCKA, minibatchCKA, rbfCKA } from '../src/index.js';
import { featureSpaceStats, pairwiseStats, type LinearStats } from '../src/linear-stats.js';
import { medianWithZeroDiagonal, selectKth } from '../src/order-statistics.js';
import { expectNoLeaks, gaussianMatrix, useCpu } from '@omniprune/core/testing';

beforeAll(useCpu);

const METRICS = {
  'linear-cka': (a: tf.Tensor2D | number[][], b: tf.Tensor2D | number[][]) => linearCKA(a, b),
  'debiased-linear-cka': (a: tf.Tensor2D | number[][], b: tf.Tensor2D | number[][]) => debiasedLinearCKA(a, b),
  'rbf-cka': (a: tf.Tensor2D | number[][], b: tf.Tensor2D | number[][]) => rbfCKA(a, b),
  'minibatch-cka': (a: tf.Tensor2D | number[][], b: tf.Tensor2D | number[][]) => minibatchCKA(a, b, { batchSize: 8 }),
};
const entries = Object.entries(METRICS);
const x = gaussianMatrix(createRng(1), 20, 3);
const y = gaussianMatrix(createRng(2), 20, 4);

/** Assert `fn` throws OmnipruneError E_BAD_INPUT whose message matches `pattern`. */
function expectBadInput(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(isOmnipruneError(caught, 'E_BAD_INPUT'), String(caught)).toBe(true);
  expect((caught as Error).message).toMatch(pattern);
}

describe('input validation', () => {
  it.each(entries)('%s: mismatched rows name both shapes and the metric', async (name, cka) => {
    const pattern = new RegExp(`^\\[criterion:${name}\\] x has shape \\[20, 3\\] but y has shape \\[19, 4\\]`);
    expectBadInput(() => cka(x, y.slice(1)), pattern);
    const [tx, ty] = [tf.tensor2d(x), tf.tensor2d(y.slice(1))];
    await expectNoLeaks(() => expectBadInput(() => cka(tx, ty), /x has shape \[20, 3\] but y has shape \[19, 4\]/));
    tf.dispose([tx, ty]);
  });

  it.each(entries)('%s: rejects NaN and infinities with their position', (_name, cka) => {
    const bad = x.map((r) => [...r]);
    bad[7][2] = Number.NaN;
    expectBadInput(() => cka(bad, y), /x holds NaN at row 7, column 2/);
    const t = tf.tensor2d(y.map((r, i) => r.map((v, j) => (i === 3 && j === 1 ? Infinity : v))));
    expectBadInput(() => cka(x, t), /y holds Infinity at row 3, column 1/);
    t.dispose();
  });

  it('requires 2 samples for the biased estimators and 4 for the unbiased ones', () => {
    expectBadInput(() => linearCKA([[1, 2]], [[3]]), /needs at least 2 samples, x has 1/);
    expectBadInput(() => rbfCKA([[1, 2]], [[3]]), /needs at least 2 samples/);
    expect(
      linearCKA(
        [
          [1, 2],
          [2, 0],
        ],
        [[3], [1]],
      ),
    ).toBeCloseTo(1, 12);
    expectBadInput(() => debiasedLinearCKA(x.slice(0, 3), y.slice(0, 3)), /needs at least 4 samples, x has 3/);
    expectBadInput(() => minibatchCKA(x.slice(0, 3), y.slice(0, 3)), /needs at least 4 samples/);
    expectBadInput(() => createMinibatchCKA().add(x.slice(0, 3), y.slice(0, 3)), /needs at least 4 samples/);
  });

  it('rejects ragged arrays, non-2-D or disposed tensors and empty features', () => {
    expectBadInput(() => linearCKA([[1, 2], [3]], [[1], [2]]), /x is not rectangular: row 1 has 1 features, row 0 has 2/);
    const t3 = tf.zeros([4, 2, 2]) as unknown as tf.Tensor2D;
    expectBadInput(() => linearCKA(t3, x.slice(0, 4)), /x must be 2-D \(samples x features\), got shape \[4, 2, 2\]/);
    t3.dispose();
    expectBadInput(() => linearCKA(t3, x.slice(0, 4)), /x is a disposed tensor/);
    expectBadInput(() => linearCKA([[], []], [[1], [2]]), /x has no features/);
  });

  it('rejects bad options', () => {
    for (const threshold of [0, -1, Number.NaN, Infinity]) expectBadInput(() => rbfCKA(x, y, { threshold }), /threshold must be a finite number > 0/);
    for (const batchSize of [3, 4.5, 0]) expectBadInput(() => minibatchCKA(x, y, { batchSize }), /batchSize must be an integer >= 4/);
  });

  it('the accumulator needs a batch and consistent feature counts', () => {
    expectBadInput(() => createMinibatchCKA().value(), /no batches were added/);
    const acc = createMinibatchCKA();
    acc.add(x.slice(0, 10), y.slice(0, 10));
    expectBadInput(
      () =>
        acc.add(
          x.slice(10).map((r) => r.slice(1)),
          y.slice(10),
        ),
      /batch 2 has 2 x features and 4 y features, earlier batches had 3 and 4/,
    );
  });
});

describe('degenerate inputs', () => {
  // 0.1 is not exact in binary: a naive mean leaves residues of ~1e-17 that would yield a meaningless ratio
  const constant = Array.from({ length: 37 }, () => [0.1, -3.7]);
  const z = gaussianMatrix(createRng(4), 37, 5);

  it.each(entries)('%s: a constant representation gives DEGENERATE_CKA = 0, never NaN', (_name, cka) => {
    expect(DEGENERATE_CKA).toBe(0);
    expect(cka(constant, z)).toBe(0);
    expect(cka(z, constant)).toBe(0);
    expect(cka(constant, constant)).toBe(0);
  });

  it.each(entries)('%s: constant columns are ignored', (_name, cka) => {
    const padded = z.map((r) => [...r, 0.1, 1e6]);
    const other = gaussianMatrix(createRng(6), 37, 3).map((r, i) => [r[0] + z[i][0], r[1], r[2]]);
    expect(cka(padded, other)).toBeCloseTo(cka(z, other), 10);
  });

  it('RBF CKA explains a zero median distance', () => {
    const mostlySame = Array.from({ length: 10 }, (_, i) => (i < 8 ? [1, 1] : [i, 2 * i]));
    expectBadInput(() => rbfCKA(mostlySame, z.slice(0, 10)), /median squared distance between the samples of x is 0/);
  });

  it('accepts int32 tensors and large offsets', () => {
    const ints = tf.tensor2d(
      [
        [1, 2],
        [3, 5],
        [4, 4],
        [8, 1],
        [0, 0],
      ],
      undefined,
      'int32',
    );
    const asNumbers = [
      [1, 2],
      [3, 5],
      [4, 4],
      [8, 1],
      [0, 0],
    ];
    const other = z.slice(0, 5);
    expect(linearCKA(ints, other)).toBeCloseTo(linearCKA(asNumbers, other), 12);
    ints.dispose();
    const far = z.map((r) => r.map((v) => v + 1e8));
    expect(linearCKA(far, z)).toBeCloseTo(1, 7);
  });
});

describe('tensor memory', () => {
  it.each(entries)('%s: creates no tensors and does not dispose its inputs', async (_name, cka) => {
    const [tx, ty] = [tf.tensor2d(x), tf.tensor2d(y)];
    const value = await expectNoLeaks(() => cka(tx, ty));
    expect(value).toBeCloseTo(cka(tx.arraySync(), ty.arraySync()), 6);
    expect(tx.isDisposed || ty.isDisposed).toBe(false);
    tf.dispose([tx, ty]);
  });

  it('the accumulator creates no tensors', async () => {
    const acc = createMinibatchCKA();
    const batches = [0, 10].map((s) => [tf.tensor2d(x.slice(s, s + 10)), tf.tensor2d(y.slice(s, s + 10))] as const);
    await expectNoLeaks(() => {
      for (const [a, b] of batches) acc.add(a, b);
      return acc.value();
    });
    tf.dispose(batches.flat());
  });
});

describe('internals', () => {
  const close = (a: LinearStats, b: LinearStats) => {
    for (const key of Object.keys(a) as Array<keyof LinearStats>) expect(a[key]).toBeCloseTo(b[key], 9 - Math.ceil(Math.log10(Math.abs(b[key]) + 1)));
  };

  it('feature-space and pairwise statistics agree (both paths, any row range)', () => {
    const rng = createRng(8);
    for (const [n, p, q] of [
      [30, 4, 5],
      [12, 20, 7],
    ]) {
      const a = {
        rows: n,
        cols: p,
        data: Float64Array.from(
          gaussianMatrix(rng, n, p)
            .flat()
            .map((v) => v + 50),
        ),
      };
      const b = { rows: n, cols: q, data: Float64Array.from(gaussianMatrix(rng, n, q).flat()) };
      close(featureSpaceStats(a, b), pairwiseStats(a, b));
      close(featureSpaceStats(a, b, 3, 11), pairwiseStats(a, b, 3, 11));
    }
  });

  it('selectKth and the Kornblith median match sorting', () => {
    const rng = createRng(10);
    for (const length of [1, 2, 7, 100, 1001]) {
      const values = Float64Array.from({ length }, () => Math.floor(rng.next() * 20)); // many ties
      const sorted = Float64Array.from(values).sort();
      for (const k of [0, length >> 1, length - 1]) expect(selectKth(Float64Array.from(values), k)).toBe(sorted[k]);
    }
    for (const n of [2, 3, 4, 9, 10]) {
      const upper = Float64Array.from({ length: (n * (n - 1)) / 2 }, () => rng.next());
      const full: number[] = Array.from({ length: n }, () => 0);
      for (const v of upper) full.push(v, v);
      full.sort((a, b) => a - b);
      const mid = full.length >> 1;
      const expected = full.length % 2 ? full[mid] : (full[mid - 1] + full[mid]) / 2;
      expect(medianWithZeroDiagonal(upper, n, new Float64Array(upper.length))).toBe(expected);
    }
  });
});
