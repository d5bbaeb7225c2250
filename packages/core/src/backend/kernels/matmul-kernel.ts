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

/** Batched products with at least this many output rows or columns run as a grouped convolution. */
const MIN_GROUPED_COLUMNS = 32;

/**
 * A batch of products `A[g] B[g]` as one depthwise convolution with channel multiplier: `A` as a `[1, rows, inner,
 * batch]` image (one channel per product), `B` as its `[1, inner]` filters with `cols` outputs per channel, so
 * `out[0, r, 0, g*cols + c] = sum_k A[g, r, k] B[g, k, c]`. XNNPACK runs it as a grouped GEMM, ~3x faster than the
 * wasm `BatchMatMul` loop when `cols` is large (attention scores `Q K^T`); slower when it is small.
 */
function groupedMatMul(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor {
  const rank = a.shape.length;
  const batch = batchSize(a.shape);
  const rows = a.shape[rank - (transposeA ? 1 : 2)];
  const inner = a.shape[rank - (transposeA ? 2 : 1)];
  const cols = b.shape[rank - (transposeB ? 2 : 1)];
  const a3 = tf.reshape(a, [batch, a.shape[rank - 2], a.shape[rank - 1]]);
  const b3 = tf.reshape(b, [batch, b.shape[rank - 2], b.shape[rank - 1]]);
  const image = tf.reshape(tf.transpose(a3, transposeA ? [2, 1, 0] : [1, 2, 0]), [1, rows, inner, batch]) as tf.Tensor4D;
  const filter = tf.reshape(tf.transpose(b3, transposeB ? [2, 0, 1] : [1, 0, 2]), [1, inner, batch, cols]) as tf.Tensor4D;
  const out = tf.depthwiseConv2d(image, filter, 1, 'valid'); // [1, rows, 1, batch * cols]
  const product = tf.transpose(tf.reshape(out, [rows, batch, cols]), [1, 0, 2]);
  return tf.reshape(product, [...a.shape.slice(0, -2), rows, cols]);
}

/**
 * `BatchMatMul` that keeps single matrix products with transposed operands on XNNPACK: the wasm kernel only uses
 * XNNPACK's fully-connected operator when neither operand is transposed and there is one batch, and otherwise
 * runs a naive single-threaded loop ~6x slower. Dense-layer gradients are exactly such products (`dy W^T`,
 * `x^T dy`); the transposed operand is transposed first (a cheap copy). Batched products with wide outputs
 * or rows (attention) become a grouped convolution ({@link groupedMatMul}, computing `(B^T A^T)^T` when the
 * rows are the wide side); other batched products (broadcast batch axes included) and non-float32 operands go to
 * the built-in kernel.
 */
export const createBatchMatMulKernel: WrappingKernelFactory = (builtIn) => (args) => {
  if (!builtIn) throw new Error('wasm backend has no built-in BatchMatMul kernel');
  const { a, b } = args.inputs;
  const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
  if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32') return builtIn.kernelFunc(args);
  const batch = batchSize(a.shape);
  if (batch > 1) {
    const rows = a.shape[a.shape.length - (transposeA ? 1 : 2)];
    const cols = b.shape[b.shape.length - (transposeB ? 2 : 1)];
    const sameBatch = a.shape.length === b.shape.length && a.shape.slice(0, -2).every((d, i) => d === b.shape[i]);
    if (!sameBatch || Math.max(rows, cols) < MIN_GROUPED_COLUMNS) return builtIn.kernelFunc(args);
    return tf.tidy(() => {
      const [left, right] = [asTensor(a, 'a'), asTensor(b, 'b')];
      if (cols >= rows) return groupedMatMul(left, right, transposeA, transposeB);
      // Narrow output: (A B)^T = B^T A^T has the wide side as columns.
      return transposeLast2(groupedMatMul(right, left, !transposeB, !transposeA));
    });
  }
  if ((!transposeA && !transposeB) || batchSize(b.shape) !== 1) return builtIn.kernelFunc(args);
  return tf.tidy(() => {
    const left = transposeA ? transposeLast2(asTensor(a, 'a')) : asTensor(a, 'a');
    const right = transposeB ? transposeLast2(asTensor(b, 'b')) : asTensor(b, 'b');
    return tf.matMul(left, right);
  });
};
