import { countCost } from '@omniprune/core/metrics';
import type { ChannelGroup, DependencyGraph, Layout } from '@omniprune/core/graph';
import type * as tfl from '@tensorflow/tfjs-layers';

/** One FLOP-carrying layer: its FLOPs and how many positions of its input/output axis each group fills. */
interface CostedLayer {
  /** MACs scaling with kept inputs x kept outputs (Conv, Dense, pointwise kernels), from the layer table. */
  readonly inOut: number;
  /** MACs scaling with kept inputs only (depthwise kernels, attention). */
  readonly inOnly: number;
  readonly inLength: number;
  readonly inShare: ReadonlyMap<number, number>;
  readonly outLength: number;
  readonly outShare: ReadonlyMap<number, number>;
}

/**
 * Estimates the FLOPs (MACs, as {@link countCost}) of the parent after removing some channels of some groups, from
 * each layer's FLOPs split in the layer table (`LayerCost.flopsSplit`: MACs proportional to kept input x kept
 * output channels, and MACs proportional to kept inputs only). Exact for convolutions (also depthwise and
 * separable) and Dense; attention counts all its MACs as scaling with the kept inputs, an approximation.
 */
export interface FlopsEstimator {
  /** FLOPs of the parent. */
  readonly parentFlops: number;
  /** FLOPs after removing `removed[i]` channels of `groups[i]`. Which channels does not matter, only how many. */
  flopsAfter(removed: readonly number[]): number;
}

function shares(layout: Layout, groupOfSpace: ReadonlyMap<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const ref of layout) {
    const g = groupOfSpace.get(ref.space);
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
  const groupOfSpace = new Map(groups.flatMap((g, i) => g.spaces.map((s) => [s, i] as const)));
  const layers: CostedLayer[] = [];
  for (const lc of cost.layers) {
    const layer = graph.layers.get(lc.name);
    if (!layer || lc.flops === 0) continue;
    const { inOut, inOnly } = lc.flopsSplit;
    layers.push({
      inOut,
      inOnly,
      inLength: layer.inLayout.length,
      inShare: shares(layer.inLayout, groupOfSpace),
      outLength: layer.outLayout.length,
      outShare: inOut > 0 ? shares(layer.outLayout, groupOfSpace) : new Map(),
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
        const keptOut = l.inOut > 0 ? keptFraction(l.outShare, l.outLength, removed) : 1;
        total -= l.inOut * (1 - keptIn * keptOut) + l.inOnly * (1 - keptIn);
      }
      return Math.round(total);
    },
  };
}
