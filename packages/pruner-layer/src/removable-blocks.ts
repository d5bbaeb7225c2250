import { nameFilter } from '@omniprune/core/util';
import type { DependencyGraph, ResidualBlock } from '@omniprune/core/graph';

/** Constraints on which blocks a layer candidate may remove (the reference code's rules are the defaults). */
export interface BlockConstraints {
  /** Never remove the network's first residual block. Default true. */
  readonly protectFirstBlock: boolean;
  /** Each stage keeps at least this many blocks (projection blocks count). Default 2. */
  readonly minBlocksPerStage: number;
  /** Only blocks whose id matches (regex). */
  readonly include?: string;
  /** Never blocks whose id matches (regex). */
  readonly exclude?: string;
}

/**
 * Blocks a layer candidate may remove now: identity-shortcut blocks the engine can remove, minus the protected
 * first block, minus blocks of stages already at their minimum.
 * @example
 * removableBlocks(graph, { protectFirstBlock: true, minBlocksPerStage: 2 }).map((b) => b.id);
 */
export function removableBlocks(graph: DependencyGraph, c: BlockConstraints): ResidualBlock[] {
  const perStage = new Map<string, number>();
  for (const b of graph.blocks) perStage.set(b.stage, (perStage.get(b.stage) ?? 0) + 1);
  const named = nameFilter(c.include, c.exclude);
  return graph.blocks.filter(
    (b) => !b.unremovableReason && !(c.protectFirstBlock && b.index === 0) && (perStage.get(b.stage) ?? 0) > c.minBlocksPerStage && named(b.id),
  );
}

/** Filters/neurons a block's branch produces (the unit filter candidates match). */
export function unitsInBlock(graph: DependencyGraph, block: ResidualBlock): number {
  let units = 0;
  for (const name of block.branch) {
    const layer = graph.layers.get(name)!;
    const key = layer.adapter?.role === 'producer' ? layer.adapter.sizeKey : undefined;
    if (key) units += Number(layer.config[key]);
  }
  return units;
}
