import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { makeConst, transposeConst } from './const-fold.js';
import { hwcToChw, type NodeArgs, type TensorValue, type Value } from './import-context.js';

/** Converters that reshape, join or read shapes of computed tensors, and the dense (Gemm / MatMul) layers. */

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);
const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** Shape of a computed tensor: its static dims, `NaN` for the batch (symbolic at import time). */
export function shape(n: NodeArgs): Value {
  const x = n.tensor(0);
  const full = [NaN, ...x.dims];
  const start = normAxis(n.int('start', 0), full.length);
  const end = n.node.attributes.has('end') ? normAxis(n.int('end', full.length), full.length) : full.length;
  const dims = full.slice(start, end);
  return { kind: 'const', tensor: makeConst([dims.length], dims, false) };
}

/** An image (or squeezed image) as a flat feature vector: TF.js Flatten, HWC order when the image is larger than 1x1. */
function toFeatures(n: NodeArgs, x: TensorValue): TensorValue {
  if (x.dims.length === 1) return x;
  if (x.dims.length !== 3) throw n.unsupported(`flattening a rank-${x.dims.length + 1} tensor`);
  const [c, h, w] = x.dims;
  if (x.squeezed) return { kind: 'tensor', sym: x.sym, dims: [c], nonNegative: x.nonNegative };
  const sym = n.ctx.apply(tfl.layers.flatten({ name: n.name() }), x.sym);
  return { kind: 'tensor', sym, dims: [c * h * w], nonNegative: x.nonNegative, ...(h * w > 1 ? { hwc: [c, h, w] as const } : {}) };
}

/** Flatten(axis=1). */
export function flatten(n: NodeArgs): Value {
  const x = n.tensor(0);
  if (normAxis(n.int('axis', 1), x.dims.length + 1) !== 1) throw n.unsupported(`Flatten with axis ${n.int('axis', 1)} (only 1 keeps the batch axis)`);
  return toFeatures(n, x);
}

/** Reshape the non-batch dims of `x` to `dims`. */
function reshapeTo(n: NodeArgs, x: TensorValue, dims: readonly number[]): Value {
  if (dims.length === x.dims.length && dims.every((d, i) => d === x.dims[i])) return x;
  if (dims.length === 1) return toFeatures(n, x);
  if (dims.length === 3 && x.dims.length === 1) {
    const [c, h, w] = dims;
    if (h * w === 1) return { kind: 'tensor', sym: n.ctx.features(x, n.name()), dims, squeezed: true, nonNegative: x.nonNegative };
    if (x.hwc && x.hwc.join() === dims.join()) {
      const sym = n.ctx.apply(tfl.layers.reshape({ name: n.name(), targetShape: [h, w, c] }), x.sym);
      return { kind: 'tensor', sym, dims, nonNegative: x.nonNegative };
    }
    const chw = n.ctx.apply(tfl.layers.reshape({ name: n.name(), targetShape: [c, h, w] }), n.ctx.features(x, n.name()));
    const sym = n.ctx.apply(tfl.layers.permute({ name: n.name('to_hwc'), dims: [2, 3, 1] }), chw);
    return { kind: 'tensor', sym, dims, nonNegative: x.nonNegative };
  }
  throw n.unsupported(`reshaping [${x.dims}] to [${dims}] (only flattening images, and features to [C, H, W], are supported)`);
}

/** Reshape with a constant (or folded) target whose first entry keeps the batch. */
export function reshape(n: NodeArgs): Value {
  const x = n.tensor(0);
  const target = Array.from(n.constant(1)!.values);
  const total = prod(x.dims);
  const [first, ...rest] = target;
  const keepsBatch = Number.isNaN(first) || first === 0 || (first === -1 && rest.every((d) => d > 0) && prod(rest) === total) || first === n.ctx.fixedBatch;
  if (!keepsBatch)
    throw n.unsupported(
      `Reshape to [${target.map((d) => (Number.isNaN(d) ? 'batch' : d))}] changes the batch axis`,
      'reshape with x.view(x.size(0), ...) or torch.flatten(x, 1)',
    );
  const allowZero = n.int('allowzero', 0) === 1;
  const dims = rest.map((d, i) => (d === 0 && !allowZero ? x.dims[i] : d));
  if (dims.some((d) => Number.isNaN(d)) || dims.filter((d) => d === -1).length > 1) throw n.unsupported(`Reshape target [${target}] depends on the batch size`);
  const known = prod(dims.filter((d) => d !== -1));
  const resolved = dims.map((d) => (d === -1 ? total / known : d));
  if (prod(resolved) !== total) throw n.unsupported(`Reshape of [${x.dims}] to [${resolved}] changes the element count`);
  return reshapeTo(n, x, resolved);
}

function axesOf(n: NodeArgs): number[] | undefined {
  return n.ints('axes') ?? (n.input(1) ? Array.from(n.constant(1)!.values) : undefined);
}

/** Squeeze of the spatial axes of `[N, C, 1, 1]`. */
export function squeeze(n: NodeArgs): Value {
  const x = n.tensor(0);
  const rank = x.dims.length + 1;
  const axes = (axesOf(n) ?? x.dims.map((d, i) => (d === 1 ? i + 1 : -1)).filter((a) => a > 0)).map((a) => normAxis(a, rank));
  const dims = x.dims.filter((_, i) => !axes.includes(i + 1));
  if (axes.includes(0)) throw n.unsupported('squeezing the batch axis');
  return reshapeTo(n, x, dims);
}

/** Unsqueeze of `[N, C]` to `[N, C, 1, 1]`. */
export function unsqueeze(n: NodeArgs): Value {
  const x = n.tensor(0);
  const axes = axesOf(n) ?? [];
  const rank = x.dims.length + 1 + axes.length;
  const norm = axes.map((a) => normAxis(a, rank));
  if (norm.includes(0)) throw n.unsupported('unsqueezing the batch axis');
  const dims: number[] = [];
  let k = 0;
  for (let i = 1; i < rank; i++) dims.push(norm.includes(i) ? 1 : x.dims[k++]);
  return reshapeTo(n, x, dims);
}

/** Concat along the channel axis. */
export function concat(n: NodeArgs): Value {
  const xs = n.node.inputs.map((_, i) => n.tensor(i));
  const rank = xs[0].dims.length + 1;
  if (normAxis(n.int('axis', 1), rank) !== 1 || xs.some((x) => x.dims.length + 1 !== rank))
    throw n.unsupported(`Concat on axis ${n.int('axis', 1)} (only the channel axis 1 is supported)`);
  const layer = tfl.layers.concatenate({ name: n.name(), axis: -1 });
  const nonNegative = xs.every((x) => x.nonNegative);
  const channels = xs.reduce((s, x) => s + x.dims[0], 0);
  if (rank === 4) {
    const squeezed = xs.every((x) => x.squeezed);
    const syms = xs.map((x) => (squeezed ? x.sym : n.ctx.image(x, n.name())));
    return { kind: 'tensor', sym: n.ctx.apply(layer, syms), dims: [channels, ...xs[0].dims.slice(1)], squeezed, nonNegative };
  }
  if (rank !== 2) throw n.unsupported(`Concat of rank-${rank} tensors`);
  return {
    kind: 'tensor',
    sym: n.ctx.apply(
      layer,
      xs.map((x) => n.ctx.features(x, n.name())),
    ),
    dims: [channels],
    nonNegative,
  };
}

/** A Dense layer computing `x @ kernel + bias` for ONNX features `x` (`kernel` [K, M], rows in ONNX order). */
function dense(n: NodeArgs, x: TensorValue, kernel: Float32Array, units: number, bias: Float32Array | undefined): Value {
  let k = kernel;
  if (x.hwc) {
    // TF.js flattened the image in HWC order; ONNX in CHW. Reorder the rows so the NHWC model computes the same.
    const map = hwcToChw(x.hwc);
    k = new Float32Array(kernel.length);
    for (let i = 0; i < map.length; i++) k.set(kernel.subarray(map[i] * units, (map[i] + 1) * units), i * units);
    n.ctx.count('flatten-rows');
  }
  const layer = tfl.layers.dense({ name: n.name(), units, useBias: bias !== undefined });
  const weights = [tf.tensor2d(k, [x.dims[0], units]), ...(bias ? [tf.tensor1d(bias)] : [])];
  return { kind: 'tensor', sym: n.ctx.apply(layer, x.sym, weights), dims: [units] };
}

/** Gemm with constant B (and C) -> Dense: `alpha * A @ op(B) + beta * C`. */
export function gemm(n: NodeArgs): Value {
  const x = n.tensor(0);
  if (x.dims.length !== 1) throw n.unsupported(`Gemm on a rank-${x.dims.length + 1} input`);
  if (n.int('transA', 0)) throw n.unsupported('Gemm with transA=1');
  const b = n.constant(1)!;
  const kernel = n.int('transB', 0) ? transposeConst(b, [1, 0]) : b;
  const [inF, units] = kernel.dims;
  if (kernel.dims.length !== 2 || inF !== x.dims[0]) throw n.unsupported(`weights of shape [${b.dims}] do not match ${x.dims[0]} input features`);
  const alpha = n.float('alpha', 1);
  const beta = n.float('beta', 1);
  const c = n.constant(2);
  let bias: Float32Array | undefined;
  if (c) {
    if (c.values.length !== 1 && c.values.length !== units) throw n.unsupported(`bias of shape [${c.dims}] (only [${units}] or a scalar)`);
    bias = Float32Array.from({ length: units }, (_, i) => beta * c.values[c.values.length === 1 ? 0 : i]);
  }
  const scaled = alpha === 1 ? Float32Array.from(kernel.values) : Float32Array.from(kernel.values, (v) => v * alpha);
  return dense(n, x, scaled, units, bias);
}

/** MatMul with a constant 2-D right operand -> Dense without bias (a following constant Add is fused in as Gemm). */
export function matMul(n: NodeArgs): Value {
  const x = n.tensor(0);
  const w = n.constant(1)!;
  if (x.dims.length !== 1 || w.dims.length !== 2 || w.dims[0] !== x.dims[0])
    throw n.unsupported(`MatMul of [${x.dims}] by [${w.dims}] (only features [N, K] by constant [K, M])`);
  return dense(n, x, Float32Array.from(w.values), w.dims[1], undefined);
}
