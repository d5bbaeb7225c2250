import type { DependencyGraph } from './dependency-graph.js';

/** One stage of residual blocks: the blocks sharing a residual channel group, and the widths inside them. */
export interface StageSummary {
  /** The stage's residual channel group (its first producer: the stem or the projection conv). */
  readonly group: string;
  /** Channels of the residual stream. */
  readonly width: number;
  /** Residual blocks left in the stage. */
  readonly blocks: number;
  /** Per block, in order: the widths of the channel groups inside it (one for a basic block, two for a bottleneck). */
  readonly innerWidths: readonly (readonly number[])[];
}

/**
 * The model's residual stages as a user reads a pruned architecture: per stage its residual width, how many blocks
 * are left and each block's inner widths (the groups its last conv reads). Empty for models without residual blocks.
 * @example
 * stageSummary(buildDependencyGraph(pruned)) // [{ group: 'stem_conv', width: 16, blocks: 3, innerWidths: [[16], [12], [9]] }, ...]
 */
export function stageSummary(graph: DependencyGraph): StageSummary[] {
  const stages = [...new Set(graph.blocks.map((b) => b.stage))];
  return stages.flatMap((id) => {
    const group = graph.groups.find((g) => g.id === id);
    if (!group) return [];
    const innerWidths = group.producers
      .filter((producer) => producer !== group.id) // the stem or projection conv: it reads the stage before, not a block
      .map((producer) => graph.groups.filter((g) => !g.residual && g.consumers.includes(producer)).map((g) => g.size))
      .filter((widths) => widths.length > 0);
    return [{ group: id, width: group.size, blocks: graph.blocks.filter((b) => b.stage === id).length, innerWidths }];
  });
}

/**
 * One line per stage, e.g. `stage 1 (stem_conv): 16 channels, 3 blocks, inner widths 16 12 9`.
 * @example
 * formatStages(stageSummary(graph)).join('\n')
 */
export function formatStages(stages: readonly StageSummary[]): string[] {
  return stages.map(
    (s, i) =>
      `stage ${i + 1} (${s.group}): ${s.width} channels, ${s.blocks} block${s.blocks === 1 ? '' : 's'}, inner widths ${s.innerWidths.map((w) => w.join('/')).join(' ')}`,
  );
}
