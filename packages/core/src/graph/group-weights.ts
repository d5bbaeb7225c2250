import type * as tfl from '@tensorflow/tfjs-layers';
import type { ChannelGroup, DependencyGraph, GroupKernel } from '@omniprune/plugin-api';
import { producersOf } from './layer-queries.js';
import { weightShortName } from './weight-transfer.js';

/** A producer kernel of a channel group (declared in `@omniprune/plugin-api`). */
export type { GroupKernel };

/**
 * The kernels that produce a group's channels (a residual group has several): producer weights of rank >= 2
 * with an output axis in the layer table (Conv2D `[kh, kw, in, out]`, Dense `[in, out]`, SeparableConv2D's
 * pointwise `[1, 1, in, out]`) whose size is the group's. Biases do not count.
 * @example
 * groupKernels(model, graph, group).map((k) => k.weight.name) // ['s1_b0_conv1/kernel']
 */
export function groupKernels(model: tfl.LayersModel, graph: DependencyGraph, group: ChannelGroup): GroupKernel[] {
  const kernels: GroupKernel[] = [];
  for (const { layer: name, adapter } of producersOf(graph, group)) {
    for (const weight of model.getLayer(name).weights) {
      const axes = adapter.weights[weightShortName(name, weight)];
      const shape = weight.shape as number[];
      if (axes?.out === undefined || shape.length < 2) continue;
      const outAxis = axes.out < 0 ? shape.length + axes.out : axes.out;
      if (shape[outAxis] === group.size) kernels.push({ layer: name, weight, outAxis });
    }
  }
  return kernels;
}

/**
 * Split a row-major tensor's values into one row per index of `axis`: `rows[c]` holds every value whose
 * `axis` coordinate is `c`, in memory order.
 * @example
 * rowsAlong(Float32Array.of(1, 2, 3, 4, 5, 6), [3, 2], 1) // [[1, 3, 5], [2, 4, 6]]
 */
export function rowsAlong(values: Float32Array, shape: readonly number[], axis: number): Float32Array[] {
  const dim = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const rows = Array.from({ length: dim }, () => new Float32Array(values.length / dim));
  const fill = new Int32Array(dim);
  for (let i = 0; i < values.length; i++) {
    const c = Math.floor(i / inner) % dim;
    rows[c][fill[c]++] = values[i];
  }
  return rows;
}

/**
 * Every producer kernel of the group as filter rows: `rows[c]` = the weights of output channel `c`.
 * @example
 * const [{ rows }] = await groupFilterRows(model, graph, group); // rows.length === group.size
 */
export async function groupFilterRows(model: tfl.LayersModel, graph: DependencyGraph, group: ChannelGroup): Promise<{ layer: string; rows: Float32Array[] }[]> {
  const out: { layer: string; rows: Float32Array[] }[] = [];
  for (const k of groupKernels(model, graph, group)) {
    out.push({ layer: k.layer, rows: rowsAlong((await k.weight.read().data()) as Float32Array, k.weight.shape as number[], k.outAxis) });
  }
  return out;
}
