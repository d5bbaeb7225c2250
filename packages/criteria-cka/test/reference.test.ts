import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMinibatchCKA, debiasedLinearCKA, linearCKA, minibatchCKA, rbfCKA } from '../src/index.js';
import { expectNoLeaks, useCpu } from '@omniprune/core/testing';
import { reference, stressData } from './helpers.js';

beforeAll(useCpu);

const TOL = 1e-6;
const cases = reference.cases.map((c) => [c.name, c] as const);

describe('known values against the independent numpy reference (fixtures/make_fixtures.py)', () => {
  it('covers both computation paths (more samples than features, and fewer)', () => {
    expect(reference.cases.some((c) => c.x.length >= c.x[0].length + c.y[0].length)).toBe(true);
    expect(reference.cases.some((c) => c.x.length < c.x[0].length + c.y[0].length)).toBe(true);
  });

  it.each(cases)('%s: linear CKA', (_name, c) => {
    expect(Math.abs(linearCKA(c.x, c.y) - c.linear)).toBeLessThan(TOL);
  });

  it.each(cases)('%s: debiased linear CKA', (_name, c) => {
    expect(Math.abs(debiasedLinearCKA(c.x, c.y) - c.debiased)).toBeLessThan(TOL);
  });

  it.each(cases)('%s: RBF CKA at thresholds 0.5, 1, 2', (_name, c) => {
    for (const { threshold, value } of c.rbf) expect(Math.abs(rbfCKA(c.x, c.y, { threshold }) - value)).toBeLessThan(TOL);
    const atDefault = c.rbf.find((r) => r.threshold === 1)!;
    expect(Math.abs(rbfCKA(c.x, c.y) - atDefault.value)).toBeLessThan(TOL);
  });

  it.each(cases)('%s: minibatch CKA with the same batch split', (_name, c) => {
    expect(Math.abs(minibatchCKA(c.x, c.y, { batchSize: c.batchSize }) - c.minibatch)).toBeLessThan(TOL);
    const acc = createMinibatchCKA();
    for (const [s, e] of c.batches) acc.add(c.x.slice(s, e), c.y.slice(s, e));
    expect(acc.batches).toBe(c.batches.length);
    expect(Math.abs(acc.value() - c.minibatch)).toBeLessThan(TOL);
  });

  it.each(cases)('%s: minibatch CKA with one batch is debiased linear CKA', (_name, c) => {
    expect(Math.abs(minibatchCKA(c.x, c.y, { batchSize: c.x.length }) - c.debiased)).toBeLessThan(TOL);
  });

  it.each(cases)('%s: tensors give the values of their float32 contents', async (_name, c) => {
    const x = tf.tensor2d(c.x);
    const y = tf.tensor2d(c.y);
    const [xv, yv] = [x.arraySync(), y.arraySync()];
    await expectNoLeaks(() => {
      expect(linearCKA(x, y)).toBeCloseTo(linearCKA(xv, yv), 12);
      expect(debiasedLinearCKA(x, y)).toBeCloseTo(debiasedLinearCKA(xv, yv), 12);
      expect(rbfCKA(x, y)).toBeCloseTo(rbfCKA(xv, yv), 12);
      expect(minibatchCKA(x, y, { batchSize: c.batchSize })).toBeCloseTo(minibatchCKA(xv, yv, { batchSize: c.batchSize }), 12);
      // float32 rounding of the inputs moves the values only slightly
      expect(Math.abs(linearCKA(x, y) - c.linear)).toBeLessThan(1e-5);
    });
    tf.dispose([x, y]);
  });
});

describe('float32 stability: 10k x 64 features around 100, against numpy float64 on the same float32 values', () => {
  const s = reference.float32Stress;
  const { x: xs, y: ys } = stressData(s.seed, s.n, s.p, s.q);
  let x: tf.Tensor2D;
  let y: tf.Tensor2D;
  beforeAll(() => {
    x = tf.tensor2d(xs, [s.n, s.p], 'float32');
    y = tf.tensor2d(ys, [s.n, s.q], 'float32');
    return () => tf.dispose([x, y]);
  });

  it('regenerates the fixture data bit for bit', () => {
    let sumX = 0;
    let sumY = 0;
    for (const v of xs) sumX += v;
    for (const v of ys) sumY += v;
    expect(sumX).toBe(s.checksum.sumX);
    expect(sumY).toBe(s.checksum.sumY);
    expect(Array.from(xs.subarray(0, 3))).toEqual(s.checksum.x0);
    expect(Array.from(ys.subarray(0, 3))).toEqual(s.checksum.y0);
  });

  it('linear CKA to 1e-4 (in practice ~1e-12)', async () => {
    const value = await expectNoLeaks(() => linearCKA(x, y));
    expect(Math.abs(value - s.linear)).toBeLessThan(1e-4);
    expect(Math.abs(value - s.linear)).toBeLessThan(1e-9);
  });

  it('debiased linear CKA to 1e-4', async () => {
    const value = await expectNoLeaks(() => debiasedLinearCKA(x, y));
    expect(Math.abs(value - s.debiased)).toBeLessThan(1e-4);
  });

  it('minibatch CKA (batches of 1000) to 1e-4, one-shot and streamed from tensor batches', async () => {
    const value = await expectNoLeaks(() => minibatchCKA(x, y, { batchSize: s.minibatch.batchSize }));
    expect(Math.abs(value - s.minibatch.value)).toBeLessThan(1e-4);
    const acc = createMinibatchCKA();
    const b = s.minibatch.batchSize;
    for (let start = 0; start < s.n; start += b) {
      const [xb, yb] = [tf.slice(x, [start, 0], [b, s.p]), tf.slice(y, [start, 0], [b, s.q])];
      await expectNoLeaks(() => acc.add(xb, yb));
      tf.dispose([xb, yb]);
    }
    expect(Math.abs(acc.value() - s.minibatch.value)).toBeLessThan(1e-4);
  });

  it('RBF CKA on the first 1000 samples to 1e-4', async () => {
    const [xr, yr] = [tf.slice(x, [0, 0], [s.rbf.rows, s.p]), tf.slice(y, [0, 0], [s.rbf.rows, s.q])];
    const value = await expectNoLeaks(() => rbfCKA(xr, yr, { threshold: s.rbf.threshold }));
    tf.dispose([xr, yr]);
    expect(Math.abs(value - s.rbf.value)).toBeLessThan(1e-4);
  });
});
