import { countCost, type ChannelGroup, type DependencyGraph, type Layout } from '@omniprune/core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** One FLOP-carrying layer: its FLOPs and how many positions of its input/output axis each group fills. */
interface CostedLayer {
  readonly flops: number;
  /** MACs scale with kept inputs x kept outputs (Conv, Dense) or with kept inputs only (depthwise, attention). */
  readonly bilinear: boolean;
  readonly inLength: number;
  readonly inShare: ReadonlyMap<number, number>;
  readonly outLength: number;
  readonly outShare: ReadonlyMap<number, number>;
}

/**
 * Estimates the FLOPs (MACs, as {@link countCost}) of the parent after removing some channels of some groups.
 * Exact for Conv1D/Conv2D/Dense (MACs are proportional to kept input x kept output channels) and depthwise convs;
 * for other layers (attention) it scales the layer's MACs by the share of input channels kept, an approximation.
 */
export interface FlopsEstimator {
  /** FLOPs of the parent. */
  readonly parentFlops: number;
  /** FLOPs after removing `removed[i]` channels of `groups[i]`. Which channels does not matter, only how many. */
  flopsAfter(removed: readonly number[]): number;
}

const BILINEAR = new Set(['Conv2D', 'Conv1D', 'Dense']);

function shares(graph: DependencyGraph, layout: Layout, groupOfRoot: ReadonlyMap<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const ref of layout) {
    const g = groupOfRoot.get(graph.spaces.find(ref.space));
    if (g !== undefined) out.set(g, (out.get(g) ?? 0) + 1);
  }
  return out;
}

/**
 * Build a FLOPs estimator for `groups` of `model` (the parent) from {@link countCost}'s per-layer MACs.
 * @example
 * const est = flopsEstimator(model, graph, groups); est.flopsAfter(groups.map(() => 1)) < est.parentFlops
 */
export function flopsEstimator(model: tfl.LayersModel, graph: DependencyGraph, groups: readonly ChannelGroup[]): FlopsEstimator {
  const cost = countCost(model);
  const groupOfRoot = new Map(groups.map((g, i) => [graph.spaces.find(g.spaces[0]), i]));
  const layers: CostedLayer[] = [];
  for (const lc of cost.layers) {
    const layer = graph.layers.get(lc.name);
    if (!layer || lc.flops === 0) continue;
    const bilinear = BILINEAR.has(lc.className);
    layers.push({
      flops: lc.flops,
      bilinear,
      inLength: layer.inLayout.length,
      inShare: shares(graph, layer.inLayout, groupOfRoot),
      outLength: layer.outLayout.length,
      outShare: bilinear ? shares(graph, layer.outLayout, groupOfRoot) : new Map(),
    });
  }
  const keptFraction = (share: ReadonlyMap<number, number>, length: number, removed: readonly number[]): number => {
    if (length === 0) return 1;
    let gone = 0;
    for (const [g, positions] of share) gone += (positions * removed[g]) / groups[g].size;
    return 1 - gone / length;
  };
  return {
    parentFlops: cost.flops,
    flopsAfter(removed) {
      let total = cost.flops;
      for (const l of layers) {
        const keptIn = keptFraction(l.inShare, l.inLength, removed);
        const keptOut = l.bilinear ? keptFraction(l.outShare, l.outLength, removed) : 1;
        total -= l.flops * (1 - keptIn * keptOut);
      }
      return Math.round(total);
    },
  };
}
