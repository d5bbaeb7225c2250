import { defineEvaluator } from '@omniprune/plugin-api';
import type { ImageDataset } from '@omniprune/core/data';
import type { Evaluation, EvaluationContext, Evaluator } from '@omniprune/plugin-api';
import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { auroc, fprAtTpr } from './auroc.js';
import { energyIsDegenerate, oodScores, type OodScores } from './ood-scores.js';
import { SYNTHETIC_OOD_SETS, syntheticOodSet } from './ood-sets.js';
import { evaluationSubset } from '../shared/subset.js';
import { toNormalizedDataset, toRawPixels } from '../shared/pixel-space.js';
import { loadOodSet } from './user-sets.js';

/** Options of the `ood` evaluator. */
export const oodOptionsSchema = z
  .strictObject({
    /** In-distribution images: a stratified seeded subset of the test set; every synthetic set has as many. */
    samples: z.number().int().min(2).default(1000),
    /** Synthetic OOD sets built from those test images. Default all five. */
    synthetic: z.array(z.enum(SYNTHETIC_OOD_SETS)).default([...SYNTHETIC_OOD_SETS]),
    /** Side of the blocks of `block-shuffled`. */
    blockSize: z.number().int().min(1).default(4),
    /** User OOD sets, loaded with core's dataset loaders. */
    sets: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[\w.-]+$/, 'letters, digits, _ . - only'),
          path: z.string().min(1),
          format: z.enum(['image-folder', 'idx']).optional(),
          dataset: z.enum(['mnist', 'fashion-mnist']).optional(),
        }),
      )
      .default([]),
    /** Forward-pass batch size. */
    batchSize: z.number().int().min(1).default(256),
  })
  .refine((o) => new Set([...o.synthetic, ...o.sets.map((s) => s.name)]).size === o.synthetic.length + o.sets.length, {
    message: 'OOD set names must be unique (user sets cannot reuse a synthetic set name)',
    path: ['sets'],
  });

/** Validated options of the `ood` evaluator. */
export type OodOptions = z.output<typeof oodOptionsSchema>;

/** One OOD set, as raw pixels and where it comes from. */
interface OodSet {
  readonly name: string;
  readonly source: string;
  readonly build: () => Promise<ImageDataset>;
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

function meanOf(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}

async function scoresOf(model: tfl.LayersModel, raw: ImageDataset, ctx: EvaluationContext, batchSize: number): Promise<OodScores> {
  const logits = await ctx.runner.predictLogits(model, toNormalizedDataset(raw, ctx.normalization), batchSize);
  return oodScores(logits, raw.count > 0 ? logits.length / raw.count : 0);
}

function oodSets(options: OodOptions, inRaw: ImageDataset, ctx: EvaluationContext): OodSet[] {
  const synthetic = options.synthetic.map((set) => ({
    name: set,
    source: 'synthetic',
    build: async () => syntheticOodSet(inRaw, set, { pixelRange: ctx.pixelRange, seed: ctx.seed, blockSize: options.blockSize }),
  }));
  const user = options.sets.map((spec) => ({
    name: spec.name,
    source: spec.path,
    build: () => loadOodSet(spec, { shape: inRaw.shape, pixelRange: ctx.pixelRange, samples: options.samples, seed: ctx.seed }),
  }));
  return [...synthetic, ...user];
}

/**
 * Run the OOD evaluation of `model`: scores on the in-distribution subset and on every set, AUROC and FPR at 95% TPR
 * per set and score, and their means over sets.
 * @example
 * const evaluation = await evaluateOod(model, ctx, oodOptionsSchema.parse({ samples: 500 }));
 */
export async function evaluateOod(model: tfl.LayersModel, ctx: EvaluationContext, options: OodOptions): Promise<Evaluation> {
  const inData = evaluationSubset(ctx.test, options.samples, ctx.seed);
  const inRaw: ImageDataset = { ...inData, images: toRawPixels(inData.images, inData.shape[2], ctx.normalization) };
  const inScores = await scoresOf(model, inRaw, ctx, options.batchSize);
  const degenerate = energyIsDegenerate(inScores.energy);
  const metrics: Record<string, number> = {};
  const perSet: Record<string, unknown> = {};
  const names: string[] = [];
  for (const set of oodSets(options, inRaw, ctx)) {
    ctx.signal?.throwIfAborted();
    const out = await scoresOf(model, await set.build(), ctx, options.batchSize);
    names.push(set.name);
    metrics[`auroc:${set.name}:msp`] = auroc(inScores.msp, out.msp);
    metrics[`fpr95:${set.name}:msp`] = fprAtTpr(inScores.msp, out.msp, 0.95);
    if (!degenerate) {
      metrics[`auroc:${set.name}:energy`] = auroc(inScores.energy, out.energy);
      metrics[`fpr95:${set.name}:energy`] = fprAtTpr(inScores.energy, out.energy, 0.95);
    }
    perSet[set.name] = { source: set.source, count: out.msp.length, meanMsp: meanOf(out.msp), meanEnergy: meanOf(out.energy) };
    ctx.log(`ood: ${set.name}: AUROC(MSP) ${metrics[`auroc:${set.name}:msp`].toFixed(3)}`);
  }
  const scores = degenerate ? ['msp'] : ['msp', 'energy'];
  for (const score of scores) {
    metrics[`auroc:${score}`] = mean(names.map((n) => metrics[`auroc:${n}:${score}`]));
    metrics[`fpr95:${score}`] = mean(names.map((n) => metrics[`fpr95:${n}:${score}`]));
  }
  const warnings = degenerate
    ? [
        'energy score omitted: the model exposes no logits (predictLogits returned log-probabilities, so logsumexp is 0 for every image); ' +
          'give the model a logits layer (model: { logitsLayer: NAME }) to get auroc/fpr95 for the energy score',
      ]
    : [];
  const energyPart = degenerate ? '' : `, energy ${metrics['auroc:energy'].toFixed(3)}`;
  return {
    metrics,
    headline: 'auroc:msp',
    summary: `OOD AUROC over ${names.length} sets: MSP ${metrics['auroc:msp'].toFixed(3)}${energyPart} (FPR95 MSP ${metrics['fpr95:msp'].toFixed(3)}; ${inData.count} in-distribution images)`,
    warnings,
    details: {
      inDistribution: { count: inData.count, meanMsp: meanOf(inScores.msp), meanEnergy: meanOf(inScores.energy) },
      sets: perSet,
      energyScore: !degenerate,
    },
  };
}

/**
 * Evaluator plugin `ood`: out-of-distribution detection with the maximum softmax probability and the energy score.
 * In-distribution: `samples` test images (stratified, seeded); OOD: five synthetic sets made offline from those
 * images (`pixel-permuted`, `block-shuffled`, `uniform-noise`, `gaussian-noise`, `inverted`) and the user's `sets`.
 * Metrics `auroc:<set>:msp|energy`, `fpr95:<set>:msp|energy` and their means `auroc:msp`, `auroc:energy`,
 * `fpr95:msp`, `fpr95:energy` (headline `auroc:msp`). Options (defaults): `samples` 1000, `synthetic` all, `blockSize`
 * 4, `sets` [], `batchSize` 256.
 * @example
 * evaluate: [{ use: ood, with: { samples: 500, sets: [{ name: mnist, path: /data/mnist, format: idx }] } }]
 */
export const oodEvaluator = defineEvaluator({
  name: 'ood',
  description: 'Out-of-distribution detection: AUROC and FPR@95%TPR of max-softmax and energy scores on synthetic and user OOD sets',
  options: oodOptionsSchema,
  create: (options): Evaluator => ({
    name: 'ood',
    evaluate: (model, ctx) => evaluateOod(model, ctx, options),
  }),
});
