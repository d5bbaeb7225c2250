import { defineEvaluator } from '@omniprune/plugin-api';
import { OmnipruneError } from '@omniprune/core';
import type { Evaluation, EvaluationContext, Evaluator, ImageDataset } from '@omniprune/plugin-api';
import type * as tfl from '@tensorflow/tfjs-layers';
import { toNormalizedDataset, toRawPixels } from '../shared/pixel-space.js';
import { evaluationSubset } from '../shared/subset.js';
import { type CorruptionName, corruptImages } from './corrupt.js';
import { corruptionErrorRates } from './corruption-error.js';
import { type CorruptionDetails, type CorruptionOptions, corruptionDetailsSchema, corruptionOptions } from './corruption-options.js';

const percent = (v: number): string => `${(100 * v).toFixed(1)}%`;
const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** Accuracy of `model` on `raw` images (raw pixels of `subset`) corrupted at `severity`, chunk by chunk on `ctx.runner`. */
async function corruptedAccuracy(
  model: tfl.LayersModel,
  ctx: EvaluationContext,
  subset: ImageDataset,
  raw: Float32Array,
  corruption: CorruptionName,
  severity: number,
  batchSize: number,
): Promise<number> {
  const per = subset.shape[0] * subset.shape[1] * subset.shape[2];
  let correct = 0;
  for (let start = 0; start < subset.count; start += batchSize) {
    ctx.signal?.throwIfAborted();
    const size = Math.min(batchSize, subset.count - start);
    const images = corruptImages(raw.subarray(start * per, (start + size) * per), subset.shape, corruption, severity, {
      seed: ctx.seed,
      pixelRange: ctx.pixelRange,
      firstIndex: start,
    });
    const chunk: ImageDataset = {
      ...subset,
      name: `${subset.name}/${corruption}-${severity}`,
      images,
      labels: subset.labels.subarray(start, start + size),
      count: size,
    };
    correct += (await ctx.runner.evaluate(model, toNormalizedDataset(chunk, ctx.normalization))).accuracy * size;
  }
  return correct / subset.count;
}

/** The reference's corruption errors from its result's `details`, or a warning when they cannot be read. */
function referenceErrors(ctx: EvaluationContext): { details?: CorruptionDetails; warning?: string } {
  if (ctx.reference === undefined) return {};
  const parsed = corruptionDetailsSchema.safeParse(ctx.reference.result.details);
  if (parsed.success) return { details: parsed.data };
  return { warning: 'mCE not computed: the reference result has no corruption errors in its details (was it evaluated by this evaluator?)' };
}

/**
 * Accuracy of `model` on a seeded corruption suite (MNIST-C / CIFAR-10-C style) of `options.samples` test images
 * drawn stratified with the run seed: every corruption at every severity, corrupted in raw pixels (from
 * `ctx.normalization`, within `ctx.pixelRange`), renormalised and evaluated on `ctx.runner`. Metrics: `clean`, one
 * `<corruption>` per corruption (mean accuracy over the severities), `meanAccuracy` (their mean) and, with a
 * reference, `mCE` and `relativeMCE` (Hendrycks & Dietterich 2019, see {@link corruptionErrorRates}) read from the
 * reference result's `details`. `details` holds the clean error and every per-severity error.
 * @example
 * const result = await evaluateCorruption(model, evalCtx, corruptionOptions.parse({ corruptions: ['fog'] }));
 * result.metrics.fog // 0.71
 */
export async function evaluateCorruption(model: tfl.LayersModel, ctx: EvaluationContext, options: CorruptionOptions): Promise<Evaluation> {
  const subset = evaluationSubset(ctx.test, options.samples, ctx.seed);
  if (subset.count === 0) {
    throw new OmnipruneError('E_BAD_INPUT', `test set ${ctx.test.name} is empty`, {
      plugin: 'evaluator:corruption',
      hint: 'evaluate on a non-empty test split',
    });
  }
  const raw = toRawPixels(subset.images, subset.shape[2], ctx.normalization);
  const clean = (await ctx.runner.evaluate(model, subset)).accuracy;
  const metrics: Record<string, number> = { clean };
  const errors: Record<string, number[]> = {};
  for (const corruption of options.corruptions) {
    const accuracies: number[] = [];
    for (const severity of options.severities) {
      accuracies.push(await corruptedAccuracy(model, ctx, subset, raw, corruption, severity, options.batchSize));
    }
    errors[corruption] = accuracies.map((a) => 1 - a);
    metrics[corruption] = mean(accuracies);
    ctx.log(`corruption: ${corruption} ${percent(metrics[corruption])}`);
  }
  metrics.meanAccuracy = mean(options.corruptions.map((c) => metrics[c]));
  const details: CorruptionDetails = { samples: subset.count, cleanError: 1 - clean, severities: options.severities, errors };
  const warnings: string[] = [];
  const reference = referenceErrors(ctx);
  if (reference.warning) warnings.push(reference.warning);
  let comparison = '';
  if (reference.details) {
    const rates = corruptionErrorRates(details, reference.details);
    if (!Number.isNaN(rates.mCE)) metrics.mCE = rates.mCE;
    if (!Number.isNaN(rates.relativeMCE)) metrics.relativeMCE = rates.relativeMCE;
    details.ce = rates.ce;
    details.relativeCE = rates.relativeCE;
    warnings.push(...rates.skipped.map((s) => `left out of mCE: ${s}`));
    comparison = `; mCE ${metrics.mCE?.toFixed(3) ?? 'n/a'}, relative mCE ${metrics.relativeMCE?.toFixed(3) ?? 'n/a'}`;
  }
  const summary =
    `clean ${percent(clean)}, corrupted ${percent(metrics.meanAccuracy)} (${options.corruptions.length} corruptions x ` +
    `${options.severities.length} severities, ${subset.count} images)${comparison}`;
  return { metrics, headline: 'meanAccuracy', summary, ...(warnings.length > 0 ? { warnings } : {}), details };
}

/**
 * Evaluator plugin `corruption`: accuracy under common corruptions ({@link evaluateCorruption}). Options
 * ({@link corruptionOptions}): `corruptions` (default all 13), `severities` (default `[1, 2, 3, 4, 5]`), `samples`
 * (default 1000), `batchSize` (default 500). Headline `meanAccuracy`; `mCE`/`relativeMCE` against the run's base model.
 * @example
 * evaluate: [{ use: corruption, with: { corruptions: [gaussian-noise, fog], severities: [1, 3, 5] } }]
 * // in code: const evaluator = await corruptionEvaluator.create(corruptionEvaluator.options.parse({}), testPluginContext());
 */
export const corruptionEvaluator = defineEvaluator({
  name: 'corruption',
  description: 'Accuracy under seeded common corruptions (noise, blur, photometric, affine, stripe, fog; 5 severities) and mCE vs the base model',
  options: corruptionOptions,
  create: (options): Evaluator => ({ name: 'corruption', evaluate: (model, ctx) => evaluateCorruption(model, ctx, options) }),
});
