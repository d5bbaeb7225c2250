import { z } from 'zod';
import { createImportanceCriterion } from '@omniprune/core/plugin';
import { definePruner, type BlockImportance, type PluginContext, type PruneCandidate, type Pruner } from '@omniprune/plugin-api';
import { regexOption } from '@omniprune/plugin-api';
import { blockCriteria } from './criteria/index.js';
import { removableBlocks, unitsInBlock } from './removable-blocks.js';
import { layerStopRules } from './stop-rules.js';

/** Options of the `layer` pruner; defaults follow the reference code. */
export const layerPrunerOptions = z.strictObject({
  /**
   * Block-importance criterion plugin: block-kl (default), block-cka, block-l1, block-random, block-influence,
   * block-angular, block-last, or a third-party one.
   */
  criterion: z.string().min(1).default('block-kl'),
  /** Options passed to the criterion. */
  criterionOptions: z.record(z.string(), z.unknown()).default({}),
  /** Blocks removed per candidate. */
  blocksPerIteration: z.number().int().positive().default(1),
  /** Each stage keeps at least this many blocks. */
  minBlocksPerStage: z.number().int().nonnegative().default(2),
  /** Never remove the network's first block. */
  protectFirstBlock: z.boolean().default(true),
  /** Regular expression a block id must match. */
  include: regexOption.optional(),
  /** Regular expression a block id must not match. */
  exclude: regexOption.optional(),
});

const BUILTIN = blockCriteria;

function criterionFor(name: string, options: unknown, ctx: PluginContext): Promise<BlockImportance> {
  return createImportanceCriterion<BlockImportance>(ctx, {
    name,
    options,
    role: 'block-importance',
    method: 'scoreBlocks',
    builtins: BUILTIN,
    pruner: 'pruner:layer',
  });
}

/**
 * The `layer` pruner: removes the least important removable residual block(s) each iteration.
 * @example
 * pruners: [{ use: layer, with: { criterion: block-kl, minBlocksPerStage: 2 } }]
 */
export const layerPruner = definePruner({
  name: 'layer',
  kinds: ['layer'],
  criteria: [{ option: 'criterion', optionsKey: 'criterionOptions', role: 'block-importance', defaultName: 'block-kl' }],
  description: 'Remove the least important residual block(s) (identity shortcuts only; first block and stage minimum kept)',
  options: layerPrunerOptions,
  stopRules: layerStopRules,
  async create(options, ctx): Promise<Pruner> {
    const criterion = await criterionFor(options.criterion, options.criterionOptions, ctx);
    return {
      kind: 'layer',
      async propose(pc): Promise<PruneCandidate | null> {
        const blocks = removableBlocks(pc.graph, options);
        if (blocks.length === 0) return null;
        const scores = await criterion.scoreBlocks(pc, blocks);
        const order = blocks.map((b, i) => ({ b, s: scores[i] })).sort((x, y) => x.s - y.s || x.b.index - y.b.index);
        const chosen: typeof blocks = [];
        const left = new Map<string, number>();
        for (const b of pc.graph.blocks) left.set(b.stage, (left.get(b.stage) ?? 0) + 1);
        for (const { b } of order) {
          if (chosen.length === options.blocksPerIteration) break;
          if ((left.get(b.stage) ?? 0) <= options.minBlocksPerStage) continue;
          chosen.push(b);
          left.set(b.stage, left.get(b.stage)! - 1);
        }
        const units = chosen.reduce((s, b) => s + unitsInBlock(pc.graph, b), 0);
        return {
          kind: 'layer',
          pruner: 'layer',
          plans: chosen.map((b) => ({ kind: 'remove-block' as const, block: b.id })),
          removedUnits: units,
          summary: `remove block${chosen.length > 1 ? 's' : ''} ${chosen.map((b) => b.id).join(', ')} (${units} filters, ${criterion.name})`,
        };
      },
    };
  },
});
