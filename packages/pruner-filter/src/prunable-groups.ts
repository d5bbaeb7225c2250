import { nameFilter } from '@omniprune/plugin-api';
import type { ChannelGroup, DependencyGraph } from '@omniprune/core/graph';

/** Which groups the `filter` pruner may touch. */
export interface GroupSelection {
  /** Also residual-stream and inexact (LayerNorm/softmax-coupled) groups. */
  readonly residual: boolean;
  /** Regular expression a group id must match. */
  readonly include?: string;
  /** Regular expression a group id must not match. */
  readonly exclude?: string;
  /** Channels each group keeps; groups of this size or smaller are left out. */
  readonly minChannels: number;
}

/**
 * The groups a filter candidate may remove channels from, in graph order: never frozen groups; residual and
 * inexact groups only with `residual: true`; filtered by `include`/`exclude`; larger than `minChannels`.
 * @example
 * prunableGroups(graph, { residual: false, minChannels: 1 }).map((g) => g.id) // ['s1_b0_conv1', ..., 's3_b2_conv1'] on a ResNet-20
 */
export function prunableGroups(graph: DependencyGraph, selection: GroupSelection): ChannelGroup[] {
  const named = nameFilter(selection.include, selection.exclude);
  return graph.groups.filter((g) => {
    if (g.frozenReason !== undefined || g.producers.length === 0) return false;
    if (!selection.residual && (g.residual || g.inexactReason !== undefined)) return false;
    if (!named(g.id)) return false;
    return g.size > selection.minChannels;
  });
}
