import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers the gradients of tfjs-core ops
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, WASM_KERNEL_NAMES } from '../../src/backend/index.js';
import { isOmnipruneWasmKernel } from '../../src/backend/kernels/register-wasm-kernels.js';
import { tileGradConfig } from '../../src/backend/kernels/tile-gradient.js';
import { simplifyTranspose } from '../../src/backend/kernels/transpose-kernel.js';
import { expectNoLeaks } from '../../src/testing/index.js';
import { expectCloseToScale, onCpuAndWasm, values } from './compare-backends.js';

beforeAll(async () => {
  await initBackend('wasm');
});

afterAll(async () => {
  await initBackend('cpu');
});

const tensor = (shape: number[], seed: number) =>
  tf.tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );

describe('wasm broadcast/reduce kernels', () => {
  it('are registered for every name in WASM_KERNEL_NAMES', () => {
    for (const name of WASM_KERNEL_NAMES) expect(isOmnipruneWasmKernel(name), name).toBe(true);
  });

  it.each([
    [
      [1, 1, 1, 16],
      [8, 9, 7, 1],
    ], // batch-norm gradient: [repeat, keep]
    [
      [6, 1],
      [1, 900],
    ], // [keep, repeat]
    [
      [1, 5, 1, 3],
      [40, 1, 30, 2],
    ], // several groups: broadcast add
    [
      [2, 3],
      [1, 1],
    ], // no repetition: built-in kernel
    [[3], [4]], // small: built-in kernel
  ])('Tile %j by %j matches cpu', async (shape, reps) => {
    const { cpu, wasm } = await onCpuAndWasm(() => tf.tile(tensor(shape, 1), reps));
    expect(wasm[0]).toEqual(cpu[0]);
  });

  it('Tile of int32 goes to the built-in kernel', async () => {
    const { cpu, wasm } = await onCpuAndWasm(() => tf.tile(tf.tensor2d([1, 2, 3], [1, 3], 'int32'), [3000, 2]));
    expect(wasm[0]).toEqual(cpu[0]);
  });

  it.each([
    [[8, 9, 7, 16], [0, 1, 2], false], // batch-norm statistics
    [[8, 9, 7, 16], [0, 1, 2], true],
    [[64, 100], 0, false], // dense bias gradient
    [[4, 64, 32], [0, 1], false], // dense bias gradient on [batch, tokens, dim]
    [[4, 64, 32], [-3, 1], true], // negative axis, unordered
    [[4, 64, 32], 2, false], // innermost (layer norm): built-in kernel
    [[4, 64, 32], [0, 2], false], // not a leading prefix: built-in kernel
    [[4, 64, 32], [0, 1, 2], false], // everything: built-in kernel
  ] as const)('Sum and Mean of %j over %j (keepDims %s) match cpu', async (shape, axis, keepDims) => {
    const ax = axis as number | number[];
    const { cpu, wasm } = await onCpuAndWasm(() => {
      const x = tensor([...shape], 2);
      const sum = tf.sum(x, ax, keepDims);
      const mean = tf.mean(x, ax, keepDims);
      expect(sum.shape).toEqual(mean.shape);
      return [sum, mean, tf.tensor1d(sum.shape.length === 0 ? [] : sum.shape)];
    });
    expect(wasm[2]).toEqual(cpu[2]);
    expectCloseToScale(wasm[0], cpu[0], 1e-5);
    expectCloseToScale(wasm[1], cpu[1], 1e-5);
  });

  it('Sum of int32 goes to the built-in kernel', async () => {
    const { cpu, wasm } = await onCpuAndWasm(() => tf.cast(tf.sum(tf.ones([300, 40], 'int32'), 0), 'float32'));
    expect(wasm[0]).toEqual(cpu[0]);
  });

  it('Identity and same-dtype Cast share data, other casts convert', async () => {
    await expectNoLeaks(() => {
      const x = tf.tensor1d([1.5, -2.25, 3]);
      const clone = tf.clone(x);
      const same = tf.cast(x, 'float32');
      const converted = tf.cast(x, 'int32');
      x.dispose(); // the copies keep the shared data alive
      expect(Array.from(clone.dataSync())).toEqual([1.5, -2.25, 3]);
      expect(Array.from(same.dataSync())).toEqual([1.5, -2.25, 3]);
      expect(Array.from(converted.dataSync())).toEqual([1, -2, 3]);
      expect(converted.dtype).toBe('int32');
      tf.dispose([clone, same, converted]);
    });
  });

  it.each([
    [[96, 40], [40, 24], false, false],
    [[96, 40], [24, 40], false, true], // dense input gradient: dy W^T
    [[40, 96], [40, 24], true, false], // dense kernel gradient: x^T dy
    [[40, 96], [24, 40], true, true],
    [[1, 40, 96], [1, 24, 40], true, true], // batch of one with rank 3
    [[3, 20, 16], [3, 20, 12], true, false], // batched, small: built-in kernel
    [[2, 3, 20, 8], [2, 3, 40, 8], false, true], // batched, wide output (attention scores): grouped convolution
    [[2, 3, 8, 20], [2, 3, 8, 40], true, false],
    [[6, 20, 8], [6, 8, 40], false, false],
    [[6, 8, 20], [6, 40, 8], true, true],
    [[6, 20, 8], [1, 8, 40], false, false], // broadcast batch: built-in kernel
    [[4, 40, 8], [4, 8, 12], false, false], // batched, wide rows: (B^T A^T)^T as a grouped convolution
    [[4, 8, 40], [4, 12, 8], true, true],
  ] as const)('BatchMatMul %j x %j (transposeA %s, transposeB %s) matches cpu', async (a, b, ta, tb) => {
    const { cpu, wasm } = await onCpuAndWasm(() => tf.matMul(tensor([...a], 3), tensor([...b], 4), ta, tb));
    expectCloseToScale(wasm[0], cpu[0], 1e-5);
  });
});

describe('wasm Transpose', () => {
  it('simplifies permutations: drops size-1 axes, merges axes that stay together', () => {
    expect(simplifyTranspose([64, 64, 3, 4, 16], [0, 1, 3, 2, 4])).toEqual({ shape: [4096, 3, 4, 16], perm: [0, 2, 1, 3] });
    expect(simplifyTranspose([2, 1, 3, 5], [3, 0, 1, 2])).toEqual({ shape: [6, 5], perm: [1, 0] });
    expect(simplifyTranspose([2, 3, 4, 5, 6], [2, 0, 3, 1, 4])).toEqual({ shape: [2, 3, 4, 5, 6], perm: [2, 0, 3, 1, 4] });
  });

  it.each([
    [
      [8, 16, 3, 2, 4],
      [2, 0, 3, 1, 4],
    ], // attention: [batch, tokens, qkv, heads, headDim] -> [qkv, batch, heads, ...]
    [
      [3, 8, 2, 16, 4],
      [1, 3, 0, 2, 4],
    ], // and back
    [
      [2, 3, 4, 5, 6],
      [4, 3, 2, 1, 0],
    ],
    [
      [2, 3, 4, 5, 6, 2],
      [5, 1, 3, 0, 4, 2],
    ],
    [
      [2, 1, 4, 1, 6, 3],
      [3, 5, 0, 4, 1, 2],
    ], // size-1 axes
    [
      [4, 4, 3, 2, 5],
      [0, 1, 3, 2, 4],
    ], // reducible to 4-D
    [
      [3, 4],
      [1, 0],
    ], // rank 2: built-in kernel
  ])('of %j by %j matches cpu', async (shape, perm) => {
    const { cpu, wasm } = await onCpuAndWasm(() => [tf.transpose(tensor(shape, 8), perm), tf.transpose(tf.cast(tf.mul(tensor(shape, 9), 100), 'int32'), perm)]);
    expect(wasm[0]).toEqual(cpu[0]);
    expect(wasm[1]).toEqual(cpu[1]);
  });
});

describe('Tile gradient', () => {
  it('is the linear-time one after initBackend', () => {
    expect(tf.getGradient('Tile')).toBe(tileGradConfig);
  });

  it.each([
    [
      [1, 1, 5],
      [3, 4, 1],
    ], // layer normalization gamma
    [
      [3, 4, 1],
      [1, 1, 5],
    ], // layer normalization mean
    [
      [2, 3],
      [2, 2],
    ],
    [
      [2, 1, 3, 1, 2],
      [1, 2, 1, 3, 2],
    ], // rank 5 (the built-in gradient throws)
  ])('of %j tiled by %j sums the repeated blocks', async (shape, reps) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const outShape = shape.map((d, i) => d * reps[i]);
    const weights = values(
      outShape.reduce((a, b) => a * b, 1),
      5,
    );
    const { cpu, wasm } = await onCpuAndWasm(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.tile(x, reps), tf.tensor(weights, outShape))))(tensor(shape, 6)));
    // Expected: every output element adds its weight to the input element it copies.
    const expected = new Float32Array(size);
    const outStrides = outShape.map((_, i) => outShape.slice(i + 1).reduce((a, b) => a * b, 1));
    const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
    weights.forEach((w, flat) => {
      const source = outStrides.reduce((acc, stride, i) => acc + ((Math.floor(flat / stride) % outShape[i]) % shape[i]) * inStrides[i], 0);
      expected[source] += w;
    });
    expectCloseToScale(cpu[0], expected, 1e-5);
    expectCloseToScale(wasm[0], expected, 1e-5);
  });
});
