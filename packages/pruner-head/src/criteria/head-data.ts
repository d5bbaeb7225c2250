import { z } from 'zod';
import { linearCkaDistance } from '@omniprune/criteria-cka';
import { defineCriterion, type HeadImportance, type ProposeContext, type RemoveHeadsPlan } from '@omniprune/plugin-api';
import type { AttentionLayer } from '@omniprune/core/graph';
import type { CoreServices } from '@omniprune/core/plugin';
import type { Features } from '@omniprune/core/prune';

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

/** Each head of `attention` as a mask: zeroed alone. */
export function headMasks(attention: AttentionLayer): RemoveHeadsPlan[] {
  return Array.from({ length: attention.numHeads }, (_, h) => ({ kind: 'remove-heads', layer: attention.layer, heads: [h] }));
}

/** Score every head of `attention` masked alone with `measure` on the features of `layer`, through `scoreMasked`. */
async function scoreHeads(
  services: CoreServices,
  pc: ProposeContext,
  attention: AttentionLayer,
  layer: string,
  options: HeadDataOptions,
  measure: (parent: Features, masked: Features) => number,
): Promise<Float32Array> {
  return Float32Array.from(
    await services.scoring.scoreMasked(pc, {
      samplesPerClass: options.samplesPerClass,
      batchSize: options.batchSize,
      masks: headMasks(attention),
      readout: { kind: 'features', layer },
      measure,
    }),
  );
}

/**
 * Output norm of each head: the mean Euclidean norm, per token, of what the head adds to the attention layer's
 * output (output with all heads minus output with the head masked), on the proposal's scoring sample (drawn once
 * per proposal and shared by every layer, as is the parent's output), through `services.scoring.scoreMasked`.
 * @example
 * const scores = await headOutputScores(ctx.services, pc, attentionLayers(pc.graph)[0], { samplesPerClass: 10, batchSize: 128 });
 */
export function headOutputScores(services: CoreServices, pc: ProposeContext, attention: AttentionLayer, options: HeadDataOptions): Promise<Float32Array> {
  const tokenWidth = pc.graph.layers.get(attention.layer)!.outputShape.at(-1)!;
  return scoreHeads(services, pc, attention, attention.layer, options, (parent, masked) => {
    let total = 0;
    let count = 0;
    for (let i = 0; i < parent.data.length; i += tokenWidth) {
      let sq = 0;
      for (let j = i; j < i + tokenWidth; j++) sq += (parent.data[j] - masked.data[j]) ** 2;
      total += Math.sqrt(sq);
      count++;
    }
    return total / Math.max(1, count);
  });
}

/**
 * `1 - linearCKA` of the penultimate representation (or the block output) with and without each head, through
 * `services.scoring.scoreMasked` (one sample and one parent capture per proposal, shared by every layer).
 * @example
 * const scores = await headCkaDropScores(ctx.services, pc, attention, { samplesPerClass: 10, batchSize: 128, layer: 'penultimate' });
 */
export function headCkaDropScores(
  services: CoreServices,
  pc: ProposeContext,
  attention: AttentionLayer,
  options: z.output<typeof headCkaOptions>,
): Promise<Float32Array> {
  const at = options.layer === 'block' ? blockOutputOf(pc, attention) : services.capture.penultimateLayer(pc.parent);
  return scoreHeads(services, pc, attention, at, options, linearCkaDistance);
}

/** Head criterion plugin `head-output`. */
export const headOutputCriterion = defineCriterion({
  name: 'head-output',
  role: 'head-importance',
  description: 'Head importance = mean norm of what the head adds to the attention output, on a training sample',
  options: headDataOptions,
  create: (options, ctx): HeadImportance => ({
    role: 'head-importance',
    name: 'head-output',
    scoreHeads: (pc, a) => headOutputScores(ctx.services, pc, a, options),
  }),
});

/** Head criterion plugin `head-cka`. */
export const headCkaCriterion = defineCriterion({
  name: 'head-cka',
  role: 'head-importance',
  description: 'Head importance = 1 - linear CKA of the penultimate features (or block output) with the head masked',
  options: headCkaOptions,
  create: (options, ctx): HeadImportance => ({
    role: 'head-importance',
    name: 'head-cka',
    scoreHeads: (pc, a) => headCkaDropScores(ctx.services, pc, a, options),
  }),
});

/** Head criterion plugin `head-random`: scores from the run's seeded generator (a baseline). */
export const headRandomCriterion = defineCriterion({
  name: 'head-random',
  role: 'head-importance',
  description: "Random head importance from the run's seeded generator (a baseline)",
  options: z.strictObject({}),
  create: (): HeadImportance => ({
    role: 'head-importance',
    name: 'head-random',
    scoreHeads: async (ctx, a) => Float32Array.from({ length: a.numHeads }, () => ctx.rng.next()),
  }),
});
