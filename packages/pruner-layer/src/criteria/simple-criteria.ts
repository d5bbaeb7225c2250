import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { defineCriterion, type BlockImportance } from '@omniprune/plugin-api';
import { isKernelWeight } from '@omniprune/core/train';
import type { ResidualBlock } from '@omniprune/core/graph';

/**
 * Mean absolute kernel weight of a block's branch (L1 norm per weight, averaged over its kernels).
 * @example
 * l1BlockScore(model, graph.blocks[1]) // > 0
 */
export function l1BlockScore(model: tfl.LayersModel, block: ResidualBlock): number {
  let sum = 0;
  let count = 0;
  for (const name of block.branch) {
    for (const w of model.getLayer(name).weights.filter(isKernelWeight)) {
      const values = w.read().dataSync();
      for (let i = 0; i < values.length; i++) sum += Math.abs(values[i]);
      count += values.length;
    }
  }
  return count ? sum / count : 0;
}

/** Block criterion plugin `block-l1`: mean L1 norm of the branch's kernels (no data needed). */
export const l1BlockCriterion = defineCriterion({
  name: 'block-l1',
  role: 'block-importance',
  description: 'Block importance = mean absolute kernel weight of the residual branch',
  options: z.strictObject({}),
  create: (): BlockImportance => ({
    role: 'block-importance',
    name: 'block-l1',
    scoreBlocks: async (ctx, blocks) => blocks.map((b) => l1BlockScore(ctx.parent, b)),
  }),
});

/** Block criterion plugin `block-random`: a seeded random score (a baseline for ablations). */
export const randomBlockCriterion = defineCriterion({
  name: 'block-random',
  role: 'block-importance',
  description: 'Block importance drawn at random from the iteration seed (ablation baseline)',
  options: z.strictObject({}),
  create: (): BlockImportance => ({
    role: 'block-importance',
    name: 'block-random',
    scoreBlocks: async (ctx, blocks) => blocks.map(() => ctx.rng.next()),
  }),
});
