import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import {
  defineCriterion, weightShortName, type ChannelGroup, type ChannelImportance, type DependencyGraph,
} from '@omniprune/core';

/** Which norm of a filter's weights {@link weightNormScores} takes. */
export type WeightNorm = 'l1' | 'l2';

/**
 * Norm of each output channel's weights, summed over the group's producers (a residual group has several).
 * Only kernels count: producer weights of rank >= 2 with an output axis in the layer table (Conv2D kernel
 * `[kh, kw, in, out]`, Dense kernel `[in, out]`); biases do not. `l1` sums `|w|` over every axis but the output
 * axis (Li et al. 2017); `l2` takes the Euclidean norm of the same weights.
 * @example
 * await weightNormScores(model, graph, graph.groups.find((g) => g.id === 's1_b0_conv1')!, 'l1') // Float32Array(16)
 */
export async function weightNormScores(model: tfl.LayersModel, graph: DependencyGraph, group: ChannelGroup, norm: WeightNorm): Promise<Float32Array> {
  const scores = new Float32Array(group.size);
  for (const name of group.producers) {
    const layer = graph.layers.get(name);
    const live = model.getLayer(name);
    for (const weight of live.weights) {
      const axes = layer?.adapter?.weights?.[weightShortName(name, weight)];
      const shape = weight.shape as number[];
      if (axes?.out === undefined || shape.length < 2) continue;
      const axis = axes.out < 0 ? shape.length + axes.out : axes.out;
      const dim = shape[axis];
      if (dim !== group.size) continue;
      const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      const values = (await weight.read().data()) as Float32Array;
      const sums = new Float64Array(dim);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        sums[Math.floor(i / inner) % dim] += norm === 'l1' ? Math.abs(v) : v * v;
      }
      for (let c = 0; c < dim; c++) scores[c] += norm === 'l1' ? sums[c] : Math.sqrt(sums[c]);
    }
  }
  return scores;
}

/**
 * L1 norm of each channel's filter weights (see {@link weightNormScores}).
 * @example
 * const scores = await l1ChannelScores(model, graph, group); // higher = kept longer
 */
export function l1ChannelScores(model: tfl.LayersModel, graph: DependencyGraph, group: ChannelGroup): Promise<Float32Array> {
  return weightNormScores(model, graph, group, 'l1');
}

/**
 * L2 norm of each channel's filter weights, summed over producers (see {@link weightNormScores}).
 * @example
 * const scores = await l2ChannelScores(model, graph, group);
 */
export function l2ChannelScores(model: tfl.LayersModel, graph: DependencyGraph, group: ChannelGroup): Promise<Float32Array> {
  return weightNormScores(model, graph, group, 'l2');
}

/**
 * `|gamma|` of the BatchNormalization layers the group's channels pass through, summed (network slimming,
 * Liu et al. 2017). A group without a scaled BatchNormalization falls back to {@link l1ChannelScores}.
 * @example
 * const scores = await bnScaleChannelScores(model, graph, group); // s1_b0_conv1 -> |gamma| of s1_b0_bn1
 */
export async function bnScaleChannelScores(model: tfl.LayersModel, graph: DependencyGraph, group: ChannelGroup): Promise<Float32Array> {
  const scores = new Float32Array(group.size);
  const root = graph.spaces.find(group.spaces[0]);
  let found = false;
  for (const name of group.passthrough) {
    const layer = graph.layers.get(name);
    if (layer?.className !== 'BatchNormalization') continue;
    const gamma = model.getLayer(name).weights.find((w) => weightShortName(name, w) === 'gamma');
    if (!gamma) continue;
    found = true;
    const values = (await gamma.read().data()) as Float32Array;
    layer.inLayout.forEach((ref, position) => {
      if (graph.spaces.find(ref.space) === root) scores[ref.ch] += Math.abs(values[position]);
    });
  }
  return found ? scores : l1ChannelScores(model, graph, group);
}

const noOptions = z.strictObject({});

/** Channel criterion plugin `l1` (the default of the `filter` pruner). Takes no options. */
export const l1Criterion = defineCriterion({
  name: 'l1',
  role: 'channel-importance',
  description: 'Filter importance = L1 norm of its kernel weights, summed over coupled producers (Li et al. 2017)',
  options: noOptions,
  create: (): ChannelImportance => ({
    role: 'channel-importance',
    name: 'l1',
    scoreChannels: (ctx, group) => l1ChannelScores(ctx.parent, ctx.graph, group),
  }),
});

/** Channel criterion plugin `l2`. Takes no options. */
export const l2Criterion = defineCriterion({
  name: 'l2',
  role: 'channel-importance',
  description: 'Filter importance = L2 norm of its kernel weights, summed over coupled producers',
  options: noOptions,
  create: (): ChannelImportance => ({
    role: 'channel-importance',
    name: 'l2',
    scoreChannels: (ctx, group) => l2ChannelScores(ctx.parent, ctx.graph, group),
  }),
});

/** Channel criterion plugin `bn-scale`. Takes no options. */
export const bnScaleCriterion = defineCriterion({
  name: 'bn-scale',
  role: 'channel-importance',
  description: 'Filter importance = |gamma| of the BatchNormalization after it (Liu et al. 2017); L1 norm without BN',
  options: noOptions,
  create: (): ChannelImportance => ({
    role: 'channel-importance',
    name: 'bn-scale',
    scoreChannels: (ctx, group) => bnScaleChannelScores(ctx.parent, ctx.graph, group),
  }),
});
