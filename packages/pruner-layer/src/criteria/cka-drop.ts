import { z } from 'zod';
import { linearCkaDistance } from '@omniprune/criteria-cka';
import { defineCriterion, type BlockImportance, type ProposeContext } from '@omniprune/plugin-api';
import type { CoreServices } from '@omniprune/core/plugin';
import type { ResidualBlock } from '@omniprune/core/graph';
import { bypassMasks } from './kl-divergence.js';

/** Options of the `block-cka` criterion. */
export const ckaDropOptions = z.strictObject({
  /** Training images per class the features are taken on. */
  samplesPerClass: z.number().int().positive().default(50),
  /** Representation layer; `penultimate` = the classifier's input. */
  layer: z.string().min(1).default('penultimate'),
});

/**
 * `1 - linearCKA` between the penultimate features with and without each block (Pons et al., ICPR 2024), on the
 * proposal's scoring sample, through `services.scoring.scoreMasked` (captures on the run's inference runner).
 * A block whose removal keeps the representation scores low.
 * @example
 * const scores = await ckaDropScores(ctx.services, pc, blocks, { samplesPerClass: 50, layer: 'penultimate' });
 */
export function ckaDropScores(
  services: CoreServices,
  pc: ProposeContext,
  blocks: readonly ResidualBlock[],
  options: z.output<typeof ckaDropOptions>,
): Promise<number[]> {
  const layer = options.layer === 'penultimate' ? services.capture.penultimateLayer(pc.parent) : options.layer;
  return services.scoring.scoreMasked(pc, {
    samplesPerClass: options.samplesPerClass,
    masks: bypassMasks(blocks),
    readout: { kind: 'features', layer },
    measure: linearCkaDistance,
  });
}

/** Block criterion plugin `block-cka`. */
export const ckaDropBlockCriterion = defineCriterion({
  name: 'block-cka',
  role: 'block-importance',
  description: 'Block importance = 1 - linear CKA of penultimate features with/without the block (Pons et al. 2024)',
  options: ckaDropOptions,
  create: (options, ctx): BlockImportance => ({
    role: 'block-importance',
    name: 'block-cka',
    scoreBlocks: (pc, blocks) => ckaDropScores(ctx.services, pc, blocks, options),
  }),
});
