import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import {
  defineCriterion, maskChannels, meanKlDivergence, perProposal, predictProbabilities, runnerOf, stratifiedSample,
  type ChannelGroup, type ChannelImportance, type DependencyGraph, type ImageDataset, type InferenceRunner, type ProposeContext,
} from '@omniprune/core';

/** Options of the `kl` channel criterion. */
export const klCriterionOptions = z.strictObject({
  /** Training images per class the divergence is averaged over. Default 50 (the paper: 500). */
  samplesPerClass: z.number().int().positive().default(50),
  /** Forward-pass batch size. Default 256. */
  batchSize: z.number().int().positive().default(256),
});

/** Parsed options of the `kl` criterion. */
export type KlCriterionOptions = z.output<typeof klCriterionOptions>;

/** The parent's predictions on the scoring sample, computed once and shared by every group's scoring. */
export interface KlReference {
  readonly sample: ImageDataset;
  /** Softmax of the parent's logits on `sample`, `[sample.count, numClasses]`. */
  readonly probabilities: Float64Array;
}

/** How the `kl` criterion runs the model: batch size and the inference runner (default TF.js, as `predictProbabilities`). */
export interface KlPredict {
  readonly batchSize: number;
  readonly runner?: InferenceRunner;
}

/**
 * Run the parent once on a stratified sample of `ctx.train` (seeded from `ctx.rng`).
 * @example
 * const ref = await klReference(ctx.parent, ctx.train, 50, ctx.rng.int(2 ** 31), { batchSize: 256 });
 */
export async function klReference(model: tfl.LayersModel, train: ImageDataset, samplesPerClass: number, seed: number, predict: KlPredict): Promise<KlReference> {
  const sample = stratifiedSample(train, samplesPerClass, seed);
  return { sample, probabilities: await predictProbabilities(model, sample, predict) };
}

/**
 * Data-driven filter importance (Luo & Wu 2020, the paper's default): for each channel, mask it in place with
 * `maskChannels` (exactly what removing it computes), run the model on the reference sample (on the run's inference
 * runner) and score
 * `mean KL(softmax_masked || softmax_original)`; then restore the weights. One forward pass over the sample per
 * channel: a ResNet-56 has 1,008 `conv1` filters, so 1,008 passes over `samplesPerClass x classes` images.
 * @example
 * const scores = await klChannelScores(model, graph, group, await klReference(model, train, 50, 1, { batchSize: 256 }), { batchSize: 256 });
 */
export async function klChannelScores(
  model: tfl.LayersModel, graph: DependencyGraph, group: ChannelGroup, reference: KlReference, predict: KlPredict = { batchSize: 256 },
): Promise<Float32Array> {
  const classes = reference.sample.numClasses;
  const scores = new Float32Array(group.size);
  for (let ch = 0; ch < group.size; ch++) {
    const restore = maskChannels(model, graph, group.id, [ch]);
    try {
      const masked = await predictProbabilities(model, reference.sample, predict);
      scores[ch] = meanKlDivergence(masked, reference.probabilities, classes);
    } finally {
      restore();
    }
  }
  return scores;
}

/**
 * Channel criterion plugin `kl`. The sample and the parent's predictions are computed once per proposal
 * (per `ProposeContext`) and reused for every group.
 */
export const klCriterion = defineCriterion({
  name: 'kl',
  role: 'channel-importance',
  description: 'Filter importance = mean KL divergence of predictions with the filter masked (Luo & Wu 2020); one forward pass per filter',
  options: klCriterionOptions,
  create: (options): ChannelImportance => {
    const predictFor = (ctx: ProposeContext): KlPredict => ({ batchSize: options.batchSize, runner: runnerOf(ctx) });
    const referenceFor = perProposal((ctx) => klReference(ctx.parent, ctx.train, options.samplesPerClass, ctx.rng.int(2 ** 31), predictFor(ctx)));
    return {
      role: 'channel-importance',
      name: 'kl',
      scoreChannels: async (ctx, group) => klChannelScores(ctx.parent, ctx.graph, group, await referenceFor(ctx), predictFor(ctx)),
    };
  },
});
