import * as tf from '@tensorflow/tfjs-core';
import type { WrappingKernelFactory } from './broadcast-kernels.js';
import { asTensor } from './kernel-tensors.js';

function batchSize(shape: readonly number[]): number {
  return shape.slice(0, -2).reduce((a, b) => a * b, 1);
}

/** Swap the last two axes. */
function transposeLast2(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  perm[perm.length - 2] = perm.length - 1;
  perm[perm.length - 1] = perm.length - 2;
  return tf.transpose(x, perm);
}

/**
 * `BatchMatMul` that keeps single matrix products with transposed operands on XNNPACK: the wasm kernel only uses
 * XNNPACK's fully-connected operator when neither operand is transposed and there is one batch, and otherwise
 * runs a naive single-threaded loop ~6x slower. Dense-layer gradients are exactly such products (`dy W^T`,
 * `x^T dy`); the transposed operand is transposed first (a cheap copy). Batched products (attention) and
 * non-float32 operands go to the built-in kernel.
 */
export const createBatchMatMulKernel: WrappingKernelFactory = (builtIn) => (args) => {
  if (!builtIn) throw new Error('wasm backend has no built-in BatchMatMul kernel');
  const { a, b } = args.inputs;
  const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
  if (!a || !b || (!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32' ||
    batchSize(a.shape) !== 1 || batchSize(b.shape) !== 1) {
    return builtIn.kernelFunc(args);
  }
  return tf.tidy(() => {
    const left = transposeA ? transposeLast2(asTensor(a, 'a')) : asTensor(a, 'a');
    const right = transposeB ? transposeLast2(asTensor(b, 'b')) : asTensor(b, 'b');
    return tf.matMul(left, right);
  });
};
