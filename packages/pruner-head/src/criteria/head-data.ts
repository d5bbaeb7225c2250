import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { linearCKA } from '@omniprune/criteria-cka';
import {
  defineCriterion, maskHeads, penultimateLayer, perProposal, runnerOf, stratifiedSample,
  type AttentionLayer, type Features, type HeadImportance, type ImageDataset, type ProposeContext,
} from '@omniprune/core';

/** Options shared by the data-driven head criteria. */
export const headDataOptions = z.strictObject({
  /** Training images per class the score is averaged over. */
  samplesPerClass: z.number().int().positive().default(10),
  batchSize: z.number().int().positive().default(128),
});

/** Options of `head-cka`: where the representation is compared. */
export const headCkaOptions = headDataOptions.extend({
  /**
   * `penultimate` (default): the classifier's input, comparable across layers and the representation the
   * all-at-once rule compares; `block`: the residual Add after the attention (cheaper signal, but not comparable
   * across layers: on a Fashion-MNIST ViT it ranked the worst head of the first layer lowest).
   */
  layer: z.enum(['penultimate', 'block']).default('penultimate'),
});

type HeadDataOptions = z.output<typeof headDataOptions>;

/** The residual Add that consumes the attention output (the block output), or the attention layer itself. */
export function blockOutputOf(ctx: ProposeContext, attention: AttentionLayer): string {
  const consumers = ctx.graph.layers.get(attention.layer)?.consumers ?? [];
  const add = consumers.find((c) => ctx.graph.layers.get(c)?.className === 'Add');
  return add ?? attention.layer;
}

/**
 * The scoring sample of one proposal and the parent's features on it per layer: drawn and captured once per
 * `ProposeContext`, so every attention layer's heads are scored on the same images against the same reference.
 */
export interface HeadReference {
  readonly sample: ImageDataset;
  /** The parent's (unmasked) features at a layer on `sample`, captured on first use. */
  original(layer: string): Promise<Features>;
}

/** A per-proposal {@link HeadReference} factory for one criterion instance. */
export function headReferences(options: HeadDataOptions): (ctx: ProposeContext) => HeadReference {
  return perProposal((ctx) => {
    const sample = stratifiedSample(ctx.train, options.samplesPerClass, ctx.rng.int(2 ** 31));
    const originals = new Map<string, Promise<Features>>();
    return {
      sample,
      original(layer) {
        if (!originals.has(layer)) originals.set(layer, runnerOf(ctx).capture(ctx.parent, layer, sample, options.batchSize));
        return originals.get(layer)!;
      },
    };
  });
}

/** Run `measure(masked, original)` once per head with that head masked in place, on the context's runner. */
async function perHead(
  ctx: ProposeContext, reference: HeadReference, attention: AttentionLayer, at: string, options: HeadDataOptions,
  measure: (masked: Float32Array, original: Float32Array, cols: number) => number,
): Promise<Float32Array> {
  const original = await reference.original(at);
  const scores = new Float32Array(attention.numHeads);
  for (let h = 0; h < attention.numHeads; h++) {
    const restore = maskHeads(ctx.parent, ctx.graph, attention.layer, [h]);
    try {
      scores[h] = measure((await runnerOf(ctx).capture(ctx.parent, at, reference.sample, options.batchSize)).data, original.data, original.cols);
    } finally {
      restore();
    }
  }
  return scores;
}

/**
 * Output norm of each head: the mean Euclidean norm, per token, of what the head adds to the attention layer's
 * output (output with all heads minus output with the head masked), on a stratified training sample drawn once per proposal.
 */
export function headOutputScores(ctx: ProposeContext, reference: HeadReference, attention: AttentionLayer, options: HeadDataOptions): Promise<Float32Array> {
  const tokenWidth = ctx.graph.layers.get(attention.layer)!.outputShape.at(-1)!;
  return perHead(ctx, reference, attention, attention.layer, options, (masked, original) => {
    let total = 0;
    let count = 0;
    for (let i = 0; i < original.length; i += tokenWidth) {
      let sq = 0;
      for (let j = i; j < i + tokenWidth; j++) sq += (original[j] - masked[j]) ** 2;
      total += Math.sqrt(sq);
      count++;
    }
    return total / Math.max(1, count);
  });
}

/** `1 - linearCKA` of the penultimate representation (or the block output) with and without each head. */
export function headCkaDropScores(
  ctx: ProposeContext, reference: HeadReference, attention: AttentionLayer, options: z.output<typeof headCkaOptions>,
): Promise<Float32Array> {
  const at = options.layer === 'block' ? blockOutputOf(ctx, attention) : penultimateLayer(ctx.parent);
  return perHead(ctx, reference, attention, at, options, (masked, original, cols) => {
    const rows = original.length / cols;
    const x = tf.tensor2d(original, [rows, cols]);
    const y = tf.tensor2d(masked, [rows, cols]);
    try {
      return 1 - linearCKA(x, y);
    } finally {
      x.dispose();
      y.dispose();
    }
  });
}

/** Head criterion plugin `head-output`. */
export const headOutputCriterion = defineCriterion({
  name: 'head-output',
  role: 'head-importance',
  description: 'Head importance = mean norm of what the head adds to the attention output, on a training sample',
  options: headDataOptions,
  create: (options): HeadImportance => {
    const referenceFor = headReferences(options);
    return { role: 'head-importance', name: 'head-output', scoreHeads: (ctx, a) => headOutputScores(ctx, referenceFor(ctx), a, options) };
  },
});

/** Head criterion plugin `head-cka`. */
export const headCkaCriterion = defineCriterion({
  name: 'head-cka',
  role: 'head-importance',
  description: 'Head importance = 1 - linear CKA of the penultimate features (or block output) with the head masked',
  options: headCkaOptions,
  create: (options): HeadImportance => {
    const referenceFor = headReferences(options);
    return { role: 'head-importance', name: 'head-cka', scoreHeads: (ctx, a) => headCkaDropScores(ctx, referenceFor(ctx), a, options) };
  },
});

/** Head criterion plugin `head-random`: scores from the run's seeded generator (a baseline). */
export const headRandomCriterion = defineCriterion({
  name: 'head-random',
  role: 'head-importance',
  description: 'Random head importance from the run\'s seeded generator (a baseline)',
  options: z.strictObject({}),
  create: (): HeadImportance => ({
    role: 'head-importance',
    name: 'head-random',
    scoreHeads: async (ctx, a) => Float32Array.from({ length: a.numHeads }, () => ctx.rng.next()),
  }),
});
