import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import {
  bypassBlock, defineCriterion, predictLogits, selectSubsetIndices, takeIndices,
  type BlockImportance, type ImageDataset, type ProposeContext, type ResidualBlock,
} from '@omniprune/core';

/** Options of the `block-kl` criterion. */
export const klOptions = z.strictObject({
  /** Training images per class the divergence is averaged over (the paper: 500). */
  samplesPerClass: z.number().int().positive().default(50),
  batchSize: z.number().int().positive().default(256),
});

/** Softmax of logits rows, in float64. */
function softmaxRows(logits: Float32Array, classes: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let r = 0; r < logits.length / classes; r++) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, logits[r * classes + k]);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += (out[r * classes + k] = Math.exp(logits[r * classes + k] - max));
    for (let k = 0; k < classes; k++) out[r * classes + k] /= sum;
  }
  return out;
}

/**
 * Mean KL(p || q) over rows of two probability matrices.
 * @example
 * meanKl(new Float64Array([0.5, 0.5]), new Float64Array([0.5, 0.5]), 2) // 0
 */
export function meanKl(p: Float64Array, q: Float64Array, classes: number): number {
  const rows = p.length / classes;
  let total = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) total += p[i] * Math.log(p[i] / Math.max(q[i], 1e-12));
  return rows ? total / rows : 0;
}

/** The scoring sample: a stratified subset of the training set, fixed per iteration by the context's rng. */
export function scoringSample(ctx: ProposeContext, samplesPerClass: number): ImageDataset {
  const train = ctx.train;
  const size = Math.min(train.count, samplesPerClass * train.numClasses);
  return size >= train.count ? train : takeIndices(train, selectSubsetIndices(train.labels, train.numClasses, size, { strategy: 'stratified', seed: ctx.rng.int(2 ** 31) }));
}

/**
 * KL divergence of the network's predictions with each block disabled from the original (Luo & Wu 2020):
 * `mean KL(softmax_pruned || softmax_original)`. A block whose removal changes predictions little scores low.
 */
export async function klBlockScores(model: tfl.LayersModel, ctx: ProposeContext, blocks: readonly ResidualBlock[], options: z.output<typeof klOptions>): Promise<number[]> {
  const sample = scoringSample(ctx, options.samplesPerClass);
  const classes = sample.numClasses;
  const original = softmaxRows(await predictLogits(model, sample, { batchSize: options.batchSize }), classes);
  const scores: number[] = [];
  for (const block of blocks) {
    const restore = bypassBlock(model, ctx.graph, block.id);
    try {
      scores.push(meanKl(softmaxRows(await predictLogits(model, sample, { batchSize: options.batchSize }), classes), original, classes));
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
