import * as tf from '@tensorflow/tfjs-core';
import { asTensor } from './kernel-tensors.js';

/**
 * Faster wasm kernels for the broadcast/reduce patterns of a batch-norm backward pass (measured on a ResNet-20
 * training step: the built-in `Tile` alone took 40% of the step). Each wraps the built-in kernel and only takes
 * over float32 cases it can do with XNNPACK pooling or matrix products; everything else goes to the built-in kernel.
 */

/** Below this many output elements the built-in kernels are fast enough. */
const MIN_FAST_SIZE = 1024;

/** A kernel that handles some cases itself and hands the rest to `builtIn`. */
export type WrappingKernelFactory = (builtIn: tf.KernelConfig | undefined) => tf.KernelFunc;

function callBuiltIn(builtIn: tf.KernelConfig | undefined, name: string, args: Parameters<tf.KernelFunc>[0]) {
  if (!builtIn) throw new Error(`wasm backend has no built-in ${name} kernel to fall back to`);
  return builtIn.kernelFunc(args);
}

/**
 * `[rows, cols]` when reducing `axes` of `shape` is a reduction over the rows of a row-major `[rows, cols]` matrix
 * (the axes are a leading prefix), else undefined.
 */
function leadingReduction(shape: readonly number[], axis: number | number[]): [number, number] | undefined {
  const axes = tf.util.parseAxisParam(axis, shape as number[]).sort((a, b) => a - b);
  if (axes.length === 0 || axes.length === shape.length || axes.some((a, i) => a !== i)) return undefined;
  const rows = shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
  const cols = shape.slice(axes.length).reduce((a, b) => a * b, 1);
  return rows > 1 && cols > 1 && rows * cols >= MIN_FAST_SIZE ? [rows, cols] : undefined;
}

function reducedShape(shape: readonly number[], reducedAxes: number, keepDims: boolean): number[] {
  return keepDims ? shape.map((d, i) => (i < reducedAxes ? 1 : d)) : shape.slice(reducedAxes);
}

/**
 * `Sum` and `Mean` over leading axes as XNNPACK's average pooling of `X` viewed as one `[rows, 1]` image with
 * `cols` channels, window = the whole image: the built-in kernels first transpose the reduced axes innermost (a
 * full copy); pooling reads `X` once, in its own layout. (A matrix product with a ones vector would be no faster:
 * the wasm `BatchMatMul` packs its right operand, i.e. `X`, on every call.)
 */
function makeReduceKernel(name: 'Sum' | 'Mean'): WrappingKernelFactory {
  return (builtIn) => (args) => {
    const x = args.inputs.x;
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const plan = x && x.dtype === 'float32' ? leadingReduction(x.shape, axis) : undefined;
    if (!x || !plan) return callBuiltIn(builtIn, name, args);
    const [rows, cols] = plan;
    const reducedAxes = tf.util.parseAxisParam(axis, x.shape).length;
    return tf.tidy(() => {
      const image = tf.reshape(asTensor(x, 'x'), [1, rows, 1, cols]) as tf.Tensor4D;
      let out: tf.Tensor = tf.avgPool(image, [rows, 1], 1, 'valid');
      if (name === 'Sum') out = tf.mul(out, tf.scalar(rows));
      return tf.reshape(out, reducedShape(x.shape, reducedAxes, keepDims));
    });
  };
}

/** `Sum` over leading axes as a matrix product (see {@link makeReduceKernel}). */
export const createSumKernel: WrappingKernelFactory = makeReduceKernel('Sum');

/** `Mean` over leading axes as a matrix product (see {@link makeReduceKernel}). */
export const createMeanKernel: WrappingKernelFactory = makeReduceKernel('Mean');

/**
 * Group the axes of a tile: each input axis contributes a repeat (`reps[i] > 1`) then its own extent (`> 1`);
 * neighbours of the same kind merge. `[{1,1,1,c} x {n,h,w,1}]` becomes `[repeat n*h*w, keep c]`.
 */
export function tileGroups(shape: readonly number[], reps: readonly number[]): { size: number; repeat: boolean }[] {
  const groups: { size: number; repeat: boolean }[] = [];
  const push = (size: number, repeat: boolean) => {
    if (size === 1) return;
    const last = groups[groups.length - 1];
    if (last && last.repeat === repeat) last.size *= size;
    else groups.push({ size, repeat });
  };
  shape.forEach((d, i) => {
    push(reps[i] ?? 1, true);
    push(d, false);
  });
  return groups;
}

/**
 * `Tile` as an outer product with a ones vector (`[repeat, keep]`: `ones[r, 1] x x[1, k]`; `[keep, repeat]`:
 * `x[k, 1] x ones[1, r]`), else as a broadcast add to zeros. The built-in kernel computes an index per element
 * and is ~100x slower than a copy; batch-norm gradients tile the per-channel scale to the full activation shape.
 */
export const createTileKernel: WrappingKernelFactory = (builtIn) => (args) => {
  const x = args.inputs.x;
  const { reps } = args.attrs as unknown as { reps: number[] };
  if (x?.dtype !== 'float32') return callBuiltIn(builtIn, 'Tile', args);
  const outShape = x.shape.map((d, i) => d * (reps[i] ?? 1));
  const groups = tileGroups(x.shape, reps);
  const outSize = outShape.reduce((a, b) => a * b, 1);
  if (outSize < MIN_FAST_SIZE || groups.length > 4 || !groups.some((g) => g.repeat)) {
    return callBuiltIn(builtIn, 'Tile', args);
  }
  return tf.tidy(() => {
    const input = asTensor(x, 'x');
    if (groups.length === 2) {
      const [first, second] = groups;
      const out = first.repeat
        ? tf.matMul(tf.ones([first.size, 1]), tf.reshape(input, [1, second.size]) as tf.Tensor2D)
        : tf.matMul(tf.reshape(input, [first.size, 1]) as tf.Tensor2D, tf.ones([1, second.size]));
      return tf.reshape(out, outShape);
    }
    const inGroups = groups.map((g) => (g.repeat ? 1 : g.size));
    const broadcast = tf.add(tf.reshape(input, inGroups), tf.zeros(groups.map((g) => g.size)));
    return tf.reshape(broadcast, outShape);
  });
};
