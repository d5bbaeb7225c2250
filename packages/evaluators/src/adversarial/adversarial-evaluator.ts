import { defineEvaluator } from '@omniprune/plugin-api';
import { OmnipruneError } from '@omniprune/core';
import type { CoreServices, Evaluation, EvaluationContext, Evaluator } from '@omniprune/plugin-api';
import type * as tfl from '@tensorflow/tfjs-layers';
import { evaluationSubset } from '../shared/subset.js';
import { type AdversarialOptions, type AttackName, adversarialOptions } from './adversarial-options.js';
import { epsilonLabel } from './epsilon-label.js';
import { robustAccuracy } from './robust-accuracy.js';

/** The metric the report plots: PGD (else FGSM) accuracy at the largest epsilon, e.g. `pgd@8/255`. */
export function adversarialHeadline(options: Pick<AdversarialOptions, 'epsilons' | 'attacks'>): string {
  const attack: AttackName = options.attacks.includes('pgd') ? 'pgd' : 'fgsm';
  return `${attack}@${epsilonLabel(Math.max(...options.epsilons))}`;
}

const percent = (v: number): string => `${(100 * v).toFixed(1)}%`;
/** PGD may trail FGSM by this much accuracy (besides one image) before gradient masking is suspected. */
const MASKING_TOLERANCE = 0.01;

/**
 * Robust accuracy of `model` under FGSM and PGD-L-infinity at each epsilon, on `options.samples` test images drawn
 * stratified with the run seed. Epsilons are on the `[0, 1]` pixel scale and multiplied by the width of
 * `ctx.pixelRange`; perturbations live in raw pixels (`x * std + mean` with `ctx.normalization`), clipped to the epsilon
 * ball and to `ctx.pixelRange`, renormalised for the model. Warns about gradient masking when PGD accuracy exceeds
 * FGSM accuracy at the same epsilon by more than one image and more than 1 point (`MASKING_TOLERANCE`): a strong
 * attack never does worse than its one-step version except by a few images stuck in a local maximum.
 * @example
 * const result = await evaluateAdversarial(ctx.services, model, evalCtx, adversarialOptions.parse({ epsilons: [8 / 255] }));
 * result.metrics['pgd@8/255'] // 0.12
 */
export async function evaluateAdversarial(
  services: CoreServices,
  model: tfl.LayersModel,
  ctx: EvaluationContext,
  options: AdversarialOptions,
): Promise<Evaluation> {
  const subset = evaluationSubset(ctx.test, options.samples, ctx.seed);
  if (subset.count === 0) {
    throw new OmnipruneError('E_BAD_INPUT', `test set ${ctx.test.name} is empty`, {
      plugin: 'evaluator:adversarial',
      hint: 'evaluate on a non-empty test split',
    });
  }
  const [low, high] = ctx.pixelRange;
  const scale = high - low;
  const accuracy = await robustAccuracy(services.tf, services.model.classifier(model), subset, {
    epsilons: options.epsilons.map((eps) => eps * scale),
    attacks: options.attacks,
    pgd: options.pgd,
    batchSize: options.batchSize,
    seed: ctx.seed,
    normalization: ctx.normalization,
    pixelRange: ctx.pixelRange,
    signal: ctx.signal,
    log: ctx.log,
  });
  const metrics: Record<string, number> = { clean: accuracy.clean };
  for (const attack of options.attacks) {
    options.epsilons.forEach((eps, e) => {
      metrics[`${attack}@${epsilonLabel(eps)}`] = accuracy.attacked[attack]![e];
    });
  }
  const warnings: string[] = [];
  if (accuracy.attacked.fgsm && accuracy.attacked.pgd) {
    options.epsilons.forEach((eps, e) => {
      const [fgsm, pgd] = [accuracy.attacked.fgsm![e], accuracy.attacked.pgd![e]];
      if (pgd - fgsm > Math.max(1 / subset.count, MASKING_TOLERANCE)) {
        warnings.push(
          `gradient masking suspected: PGD accuracy ${percent(pgd)} exceeds FGSM accuracy ${percent(fgsm)} at epsilon ${epsilonLabel(eps)}; ` +
            'a multi-step attack should be at least as strong as a single step, so these gradients understate the model’s vulnerability',
        );
      }
    });
  }
  const headline = adversarialHeadline(options);
  const summary =
    `clean ${percent(accuracy.clean)}, ${headline} ${percent(metrics[headline])} on ${subset.count} images` +
    (options.attacks.includes('pgd') ? ` (PGD ${options.pgd.steps} steps)` : '');
  const pgd = { steps: options.pgd.steps, stepSize: options.pgd.stepSize ?? 2.5 / options.pgd.steps, randomStart: options.pgd.randomStart };
  return {
    metrics,
    headline,
    summary,
    ...(warnings.length > 0 ? { warnings } : {}),
    details: { samples: subset.count, epsilons: options.epsilons, rawEpsilons: options.epsilons.map((eps) => eps * scale), attacks: options.attacks, pgd },
  };
}

/**
 * Evaluator plugin `adversarial`: FGSM and PGD-L-infinity robust accuracy ({@link evaluateAdversarial}). Options
 * ({@link adversarialOptions}): `epsilons` (default `[2/255, 4/255, 8/255]`), `attacks` (default `['fgsm', 'pgd']`),
 * `pgd: { steps: 10, stepSize: 2.5 / steps, randomStart: true }`, `samples` (default 1000), `batchSize` (default 100).
 * Metrics `clean`, `fgsm@<eps>`, `pgd@<eps>`; headline the PGD accuracy at the largest epsilon.
 * @example
 * evaluate: [{ use: adversarial, with: { epsilons: [0.00784313725490196, 0.03137254901960784], pgd: { steps: 20 } } }]
 * // in code: const evaluator = await adversarialEvaluator.create(adversarialEvaluator.options.parse({}), testPluginContext());
 */
export const adversarialEvaluator = defineEvaluator({
  name: 'adversarial',
  description: 'Robust accuracy under FGSM and PGD-L-infinity attacks in raw pixel space (Goodfellow et al. 2015; Madry et al. 2018)',
  options: adversarialOptions,
  create: (options, pctx): Evaluator => ({
    name: 'adversarial',
    evaluate: (model, ctx) => evaluateAdversarial(pctx.services, model, ctx, options),
  }),
});
