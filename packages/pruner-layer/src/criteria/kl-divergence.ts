import { z } from 'zod';
import { defineCriterion, type BlockImportance, type ProposeContext, type RemoveBlockPlan } from '@omniprune/plugin-api';
import type { CoreServices } from '@omniprune/core/plugin';
import type { ResidualBlock } from '@omniprune/core/graph';

/** Options of the `block-kl` criterion. */
export const klOptions = z.strictObject({
  /** Training images per class the divergence is averaged over (the paper: 500). */
  samplesPerClass: z.number().int().positive().default(50),
  batchSize: z.number().int().positive().default(256),
});

/** Each block as a mask: bypassed alone. */
export function bypassMasks(blocks: readonly ResidualBlock[]): RemoveBlockPlan[] {
  return blocks.map((b) => ({ kind: 'remove-block', block: b.id }));
}

/**
 * KL divergence of the network's predictions with each block disabled from the original (Luo & Wu 2020):
 * `mean KL(softmax_pruned || softmax_original)` on the proposal's scoring sample, through
 * `services.scoring.scoreMasked` (forward passes on the run's inference runner). A block whose removal changes
 * predictions little scores low.
 * @example
 * const scores = await klBlockScores(ctx.services, pc, blocks, { samplesPerClass: 50, batchSize: 256 });
 */
export function klBlockScores(
  services: CoreServices,
  pc: ProposeContext,
  blocks: readonly ResidualBlock[],
  options: z.output<typeof klOptions>,
): Promise<number[]> {
  return services.scoring.scoreMasked(pc, { ...options, masks: bypassMasks(blocks), readout: { kind: 'logits' }, measure: services.scoring.predictionKl });
}

/** Block criterion plugin `block-kl` (the reference code's default). */
export const klBlockCriterion = defineCriterion({
  name: 'block-kl',
  role: 'block-importance',
  description: 'Block importance = mean KL divergence of predictions with the block disabled (Luo & Wu 2020)',
  options: klOptions,
  create: (options, ctx): BlockImportance => ({
    role: 'block-importance',
    name: 'block-kl',
    scoreBlocks: (pc, blocks) => klBlockScores(ctx.services, pc, blocks, options),
  }),
});
