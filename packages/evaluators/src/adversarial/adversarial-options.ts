import { z } from 'zod';
import { epsilonLabel } from './epsilon-label.js';

/** The attacks the `adversarial` evaluator runs. */
export const ATTACK_NAMES = ['fgsm', 'pgd'] as const;

/** One of {@link ATTACK_NAMES}. */
export type AttackName = (typeof ATTACK_NAMES)[number];

/** Options of the `adversarial` evaluator. */
export const adversarialOptions = z.strictObject({
  /**
   * L-infinity budgets on the `[0, 1]` scale of raw pixels (before normalisation): raw pixel units for `[0, 1]` data,
   * multiplied by 255 for `[0, 255]` data. Default `[2/255, 4/255, 8/255]`.
   */
  epsilons: z
    .array(z.number().positive().max(1))
    .min(1)
    .default([2 / 255, 4 / 255, 8 / 255])
    .refine((eps) => new Set(eps.map(epsilonLabel)).size === eps.length, { message: 'epsilons must be distinct' }),
  /** Attacks to run. Default both: `['fgsm', 'pgd']`. */
  attacks: z
    .array(z.enum(ATTACK_NAMES))
    .min(1)
    .default(['fgsm', 'pgd'])
    .refine((a) => new Set(a).size === a.length, { message: 'attacks must be distinct' }),
  /** PGD-L-infinity schedule (Madry et al. 2018). */
  pgd: z
    .strictObject({
      /** Gradient-sign steps. Default 10. */
      steps: z.int().positive().default(10),
      /** Step size as a fraction of epsilon. Default `2.5 / steps`. */
      stepSize: z.number().positive().max(1).optional(),
      /** Start from a uniform random point of the epsilon ball. Default true. */
      randomStart: z.boolean().default(true),
    })
    .prefault({}),
  /** Test images attacked: a stratified subset drawn with the run seed. Default 1000. */
  samples: z.int().positive().default(1000),
  /** Images per attack batch (gradients on the compute backend). Default 100. */
  batchSize: z.int().positive().default(100),
});

/** Options of the `adversarial` evaluator as written in a pipeline. */
export type AdversarialOptionsInput = z.input<typeof adversarialOptions>;

/** Parsed options of the `adversarial` evaluator. */
export type AdversarialOptions = z.output<typeof adversarialOptions>;
