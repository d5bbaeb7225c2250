import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import {
  bypassBlock, defineCriterion, meanKlDivergence, predictProbabilities, runnerOf, stratifiedSample,
  type BlockImportance, type ImageDataset, type ProposeContext, type ResidualBlock,
} from '@omniprune/core';

/** Options of the `block-kl` criterion. */
export const klOptions = z.strictObject({
  /** Training images per class the divergence is averaged over (the paper: 500). */
  samplesPerClass: z.number().int().positive().default(50),
  batchSize: z.number().int().positive().default(256),
});

/** The scoring sample: `samplesPerClass` training images per class, fixed per iteration by the context's rng. */
export function scoringSample(ctx: ProposeContext, samplesPerClass: number): ImageDataset {
  return stratifiedSample(ctx.train, samplesPerClass, ctx.rng.int(2 ** 31));
}

/**
 * KL divergence of the network's predictions with each block disabled from the original (Luo & Wu 2020):
 * `mean KL(softmax_pruned || softmax_original)`. A block whose removal changes predictions little scores low.
 * The forward passes run on the context's inference runner.
 */
export async function klBlockScores(model: tfl.LayersModel, ctx: ProposeContext, blocks: readonly ResidualBlock[], options: z.output<typeof klOptions>): Promise<number[]> {
  const sample = scoringSample(ctx, options.samplesPerClass);
  const classes = sample.numClasses;
  const predict = { batchSize: options.batchSize, runner: runnerOf(ctx) };
  const original = await predictProbabilities(model, sample, predict);
  const scores: number[] = [];
  for (const block of blocks) {
    const restore = bypassBlock(model, ctx.graph, block.id);
    try {
      scores.push(meanKlDivergence(await predictProbabilities(model, sample, predict), original, classes));
    } finally {
      restore();
    }
  }
  return scores;
}

/** Block criterion plugin `block-kl` (the reference code's default). */
export const klBlockCriterion = defineCriterion({
  name: 'block-kl',
  role: 'block-importance',
  description: 'Block importance = mean KL divergence of predictions with the block disabled (Luo & Wu 2020)',
  options: klOptions,
  create: (options): BlockImportance => ({
    role: 'block-importance',
    name: 'block-kl',
    scoreBlocks: (ctx, blocks) => klBlockScores(ctx.parent, ctx, blocks, options),
  }),
});
