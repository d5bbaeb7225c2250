import * as tf from '@tensorflow/tfjs-core';
import type { WrappingKernelFactory } from './broadcast-kernels.js';
import { asTensor } from './kernel-tensors.js';

/**
 * The same permutation on fewer axes: size-1 axes dropped, and input axes that stay adjacent and in order in the
 * output merged (`[64, 64, 3, 4, 16]` by `[0, 1, 3, 2, 4]` is `[4096, 3, 4, 16]` by `[0, 2, 1, 3]`).
 */
export function simplifyTranspose(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const inputAxes = shape.flatMap((d, axis) => (d === 1 ? [] : [axis]));
  const position = new Map(inputAxes.map((axis, i) => [axis, i]));
  const runs: number[][] = []; // input positions of each merged output axis, in output order
  for (const axis of perm) {
    const pos = position.get(axis);
    if (pos === undefined) continue;
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] + 1 === pos) last.push(pos);
    else runs.push([pos]);
  }
  const byInput = [...runs].sort((a, b) => a[0] - b[0]);
  return {
    shape: byInput.map((run) => run.reduce((size, pos) => size * shape[inputAxes[pos]], 1)),
    perm: runs.map((run) => byInput.indexOf(run)),
  };
}

/**
 * `Transpose` that never reaches the wasm backend's generic rank-5+ loop (~50x slower than its 2-4-D kernels;
 * attention transposes `[batch, tokens, 3, heads, headDim]` every block): the permutation is first simplified
 * ({@link simplifyTranspose}); one of rank 5+ is then done as a sequence of moves of one axis, each a 4-D
 * transpose `[before, between, axis, after] -> [before, axis, between, after]`.
 */
export const createTransposeKernel: WrappingKernelFactory = (builtIn) => (args) => {
  if (!builtIn) throw new Error('wasm backend has no built-in Transpose kernel');
  const x = args.inputs.x;
  const { perm } = args.attrs as unknown as { perm: number[] };
  if (!x || x.dtype === 'string' || x.shape.length <= 4) return builtIn.kernelFunc(args);
  const outShape = perm.map((axis) => x.shape[axis]);
  const simple = simplifyTranspose(x.shape, perm);
  if (simple.perm.length <= 4) {
    const reshaped: tf.TensorInfo = { dataId: x.dataId, shape: simple.shape, dtype: x.dtype };
    const out = builtIn.kernelFunc({ ...args, inputs: { x: reshaped }, attrs: { perm: simple.perm } }) as tf.TensorInfo;
    return { dataId: out.dataId, shape: outShape, dtype: out.dtype };
  }
  return tf.tidy(() => {
    let current = tf.reshape(asTensor(x, 'x'), simple.shape);
    let order = simple.shape.map((_, i) => i); // input axis at each position of `current`
    simple.perm.forEach((axis, target) => {
      const from = order.indexOf(axis);
      if (from === target) return;
      const dims = current.shape;
      const size = (a: number, b: number) => dims.slice(a, b).reduce((p, d) => p * d, 1);
      const view = tf.reshape(current, [size(0, target), size(target, from), dims[from], size(from + 1, dims.length)]);
      const moved = tf.transpose(view, [0, 2, 1, 3]);
      order = [...order.slice(0, target), axis, ...order.slice(target, from), ...order.slice(from + 1)];
      current = tf.reshape(
        moved,
        order.map((a) => simple.shape[a]),
      );
    });
    return tf.reshape(current, outShape);
  });
};
