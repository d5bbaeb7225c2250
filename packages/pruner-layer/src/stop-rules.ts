import { OmnipruneError, z, type DependencyGraph, type StopRule } from '@omniprune/plugin-api';

/** The `stop:` keys the layer pruner adds. */
export interface LayerStop {
  readonly minBlocksPerStage?: number;
  readonly whenNoLayerCandidate: 'continue' | 'stop';
  readonly flopsReduction?: number;
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** Residual blocks per stage (every block of the stage, removable or not), in the order stages appear. */
export function blocksPerStage(graph: DependencyGraph): Map<string, number> {
  const counts = new Map<string, number>();
  for (const b of graph.blocks) counts.set(b.stage, (counts.get(b.stage) ?? 0) + 1);
  return counts;
}

/** `stop.minBlocksPerStage`: stop when every stage is down to that many residual blocks (the authors' `while blocks != [2, 2, 2]`). */
export const minBlocksRule: StopRule<LayerStop> = {
  name: 'min-blocks',
  options: {
    minBlocksPerStage: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Stop when every stage holds at most this many residual blocks (counts every block of a stage, the downsampling one included)'),
  },
  afterIteration({ stop, graph }) {
    if (stop.minBlocksPerStage === undefined || graph.blocks.length === 0) return null;
    const counts = [...blocksPerStage(graph).values()];
    if (!counts.every((n) => n <= stop.minBlocksPerStage!)) return null;
    return { reason: 'min-blocks', message: `every stage is down to at most ${stop.minBlocksPerStage} blocks ([${counts.join(', ')}])` };
  },
};

/** `stop.whenNoLayerCandidate: stop`: end the run when the layer pruner finds no block left, as the authors' loop does. */
export const noLayerCandidateRule: StopRule<LayerStop> = {
  name: 'no-layer-candidate',
  options: {
    whenNoLayerCandidate: z
      .enum(['continue', 'stop'])
      .default('continue')
      .describe('When a layer pruner is configured but proposes nothing: continue (the other pruners go on alone) or stop'),
  },
  afterProposals({ stop, kinds, proposals }) {
    if (stop.whenNoLayerCandidate !== 'stop' || !kinds.includes('layer') || proposals.some((p) => p.kind === 'layer')) return null;
    return { reason: 'no-layer-candidate', message: 'the layer pruner found no block left to remove (stop.whenNoLayerCandidate: stop)' };
  },
};

/** A FLOPs target beyond what removing every removable block gives, when only layer candidates compete. */
export const layerCeilingRule: StopRule<LayerStop> = {
  name: 'layer-only-ceiling',
  options: {},
  reachable({ stop, kinds, graph, cost, baseline }) {
    if (stop.flopsReduction === undefined || !kinds.every((k) => k === 'layer')) return;
    const removed = new Set(graph.blocks.filter((b) => !b.unremovableReason).flatMap((b) => b.branch));
    const left = cost.layers.filter((l) => !removed.has(l.name)).reduce((s, l) => s + l.flops, 0);
    const ceiling = 1 - left / baseline.flops;
    if (stop.flopsReduction <= ceiling) return;
    throw new OmnipruneError(
      'E_UNREACHABLE_TARGET',
      `stop.flopsReduction ${pct(stop.flopsReduction)} is beyond the layer-only ceiling: removing every removable block removes ${pct(ceiling)} of FLOPs`,
      { hint: 'add a filter pruner (use: filter) or lower stop.flopsReduction' },
    );
  },
};

/** The layer pruner's stop rules, in the order they are checked. */
export const layerStopRules: readonly StopRule<LayerStop>[] = [minBlocksRule, noLayerCandidateRule, layerCeilingRule];
