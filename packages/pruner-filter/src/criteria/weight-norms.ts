import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { defineCriterion, type ChannelImportance } from '@omniprune/plugin-api';
import { groupFilterRows, weightShortName, type ChannelGroup, type DependencyGraph } from '@omniprune/core/graph';

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
  for (const { rows } of await groupFilterRows(model, graph, group)) {
    rows.forEach((row, c) => {
      let sum = 0;
      for (const v of row) sum += norm === 'l1' ? Math.abs(v) : v * v;
      scores[c] += norm === 'l1' ? sum : Math.sqrt(sum);
    });
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
 * `|gamma|` of the batch normalisations the group's channels pass through (layers whose table entry has a
 * `batchNormScale`), summed (network slimming, Liu et al. 2017). A group without a scaled batch normalisation
 * falls back to {@link l1ChannelScores}.
 * @example
 * const scores = await bnScaleChannelScores(model, graph, group); // s1_b0_conv1 -> |gamma| of s1_b0_bn1
 */
export async function bnScaleChannelScores(model: tfl.LayersModel, graph: DependencyGraph, group: ChannelGroup): Promise<Float32Array> {
  const scores = new Float32Array(group.size);
  const inGroup = new Set(group.spaces);
  let found = false;
  for (const name of group.passthrough) {
    const layer = graph.layers.get(name);
    const scaleName = layer?.adapter?.batchNormScale;
    if (!layer || !scaleName) continue;
    const scale = model.getLayer(name).weights.find((w) => weightShortName(name, w) === scaleName);
    if (!scale) continue;
    found = true;
    const values = (await scale.read().data()) as Float32Array;
    layer.inLayout.forEach((ref, position) => {
      if (inGroup.has(ref.space)) scores[ref.ch] += Math.abs(values[position]);
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
