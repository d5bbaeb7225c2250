import { z } from 'zod';
import { linearCKA } from '@omniprune/criteria-cka';
import {
  bypassBlock, captureFeatures, defineCriterion, featuresToTensor, penultimateLayer,
  type BlockImportance, type Features, type ProposeContext, type ResidualBlock,
} from '@omniprune/core';
import { scoringSample } from './kl-divergence.js';

/** Options of the `block-cka` criterion. */
export const ckaDropOptions = z.strictObject({
  /** Training images per class the features are taken on. */
  samplesPerClass: z.number().int().positive().default(50),
  /** Representation layer; `penultimate` = the classifier's input. */
  layer: z.string().min(1).default('penultimate'),
});

function cka(a: Features, b: Features): number {
  const x = featuresToTensor(a);
  const y = featuresToTensor(b);
  try {
    return linearCKA(x, y);
  } finally {
    x.dispose();
    y.dispose();
  }
}

/**
 * `1 - linearCKA` between the penultimate features with and without each block (Pons et al., ICPR 2024).
 * A block whose removal keeps the representation scores low.
 */
export async function ckaDropScores(ctx: ProposeContext, blocks: readonly ResidualBlock[], options: z.output<typeof ckaDropOptions>): Promise<number[]> {
  const model = ctx.parent;
  const layer = options.layer === 'penultimate' ? penultimateLayer(model) : options.layer;
  const sample = scoringSample(ctx, options.samplesPerClass);
  const original = await captureFeatures(model, layer, sample);
  const scores: number[] = [];
  for (const block of blocks) {
    const restore = bypassBlock(model, ctx.graph, block.id);
    try {
      scores.push(1 - cka(original, await captureFeatures(model, layer, sample)));
    } finally {
      restore();
    }
  }
  return scores;
}

/** Block criterion plugin `block-cka`. */
export const ckaDropBlockCriterion = defineCriterion({
  name: 'block-cka',
  role: 'block-importance',
  description: 'Block importance = 1 - linear CKA of penultimate features with/without the block (Pons et al. 2024)',
  options: ckaDropOptions,
  create: (options): BlockImportance => ({ role: 'block-importance', name: 'block-cka', scoreBlocks: (ctx, blocks) => ckaDropScores(ctx, blocks, options) }),
});
