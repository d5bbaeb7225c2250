import { z } from 'zod';
import { OmnipruneError } from '../errors/omniprune-error.js';
import type { AugmentFn } from './types.js';
import { distillSchema } from './distill.js';

/** Learning-rate schedule, evaluated once per epoch (see {@link learningRateAt}). */
export const lrScheduleSchema = z.discriminatedUnion('type', [
  /** The base `lr` in every epoch. */
  z.object({ type: z.literal('constant') }),
  /** PyTorch MultiStepLR: `lr * gamma^k`, k = number of milestones (0-based epochs) <= epoch. */
  z.object({
    type: z.literal('step'),
    milestones: z.array(z.number().int().nonnegative()),
    gamma: z.number().positive().default(0.1),
  }),
  /** Cosine annealing from `lr` (first epoch after warmup) towards `minLr` (reached after the last epoch). */
  z.object({ type: z.literal('cosine'), minLr: z.number().nonnegative().default(0) }),
]);

/** Early stopping on a validation metric; the best weights are restored at the end of `fit`. */
export const earlyStoppingSchema = z.object({
  /** Epochs without improvement before stopping. Default 10. */
  patience: z.number().int().nonnegative().default(10),
  /** Smallest change of the monitored value that counts as an improvement. Default 0. */
  minDelta: z.number().nonnegative().default(0),
  /** Validation metric to watch. Default `val_accuracy` (higher is better; `val_loss`: lower is better). */
  monitor: z.enum(['val_accuracy', 'val_loss']).default('val_accuracy'),
  /** Restore the weights of the best epoch when `fit` ends. Default true. */
  restoreBestWeights: z.boolean().default(true),
});

const augmentSchema = z.custom<AugmentFn>((v) => typeof v === 'function', { message: 'expected a function' });

/**
 * Options of {@link createSgdTrainer}, with defaults (the paper's fine-tuning recipe where it fixes one):
 * - `epochs` 10; `batchSize` 128; `lr` 0.01; `momentum` 0.9; `nesterov` true;
 * - `weightDecay` 0: explicit L2 on kernels added to gradients (`g += weightDecay * w`, PyTorch style;
 *   a Keras `l2(λ)` kernel regulariser on the model adds `2λw` on top through the model's own losses);
 * - `schedule` `{ type: 'constant' }`; `warmupEpochs` 0 (linear ramp, see {@link learningRateAt});
 * - `labelSmoothing` 0; `earlyStopping` off; `seed` 0 (shuffle order and augmentation rng);
 * - `shuffle` true (ImageDataset inputs only); `augment` none; `passesPerEpoch` 1;
 * - `distill` off: knowledge distillation from the teacher `fit` is given (see {@link distillSchema}).
 * @example
 * sgdTrainerOptionsSchema.parse({ epochs: 190, weightDecay: 1e-4, schedule: { type: 'step', milestones: [100, 150] } });
 */
export const sgdTrainerOptionsSchema = z.object({
  epochs: z.number().int().positive().default(10),
  batchSize: z.number().int().positive().default(128),
  lr: z.number().positive().default(0.01),
  momentum: z.number().min(0).max(1).default(0.9),
  nesterov: z.boolean().default(true),
  weightDecay: z.number().nonnegative().default(0),
  schedule: lrScheduleSchema.default({ type: 'constant' }),
  warmupEpochs: z.number().int().nonnegative().default(0),
  labelSmoothing: z.number().min(0).max(1).default(0),
  earlyStopping: earlyStoppingSchema.optional(),
  seed: z.number().int().default(0),
  shuffle: z.boolean().default(true),
  augment: augmentSchema.optional(),
  /**
   * Passes over the training data per epoch (the authors' reference code trains on three differently augmented
   * copies per "epoch"); the schedule still steps per epoch. Default 1.
   */
  passesPerEpoch: z.number().int().positive().default(1),
  /** Distil from a teacher model (`FitOptions.teacher`): loss `alpha * T^2 * KL + (1 - alpha) * CE`. Default off. */
  distill: distillSchema.optional(),
});

/** Options accepted by {@link createSgdTrainer} (every field optional). */
export type SgdTrainerOptionsInput = z.input<typeof sgdTrainerOptionsSchema>;
/** Options after defaults are applied. */
export type SgdTrainerOptions = z.output<typeof sgdTrainerOptionsSchema>;
/** A learning-rate schedule. */
export type LrSchedule = z.output<typeof lrScheduleSchema>;
/** Early-stopping settings after defaults. */
export type EarlyStoppingOptions = z.output<typeof earlyStoppingSchema>;

/** Parse trainer options, turning a zod failure into `E_SCHEMA` naming the offending path. */
export function parseSgdTrainerOptions(input: unknown): SgdTrainerOptions {
  const parsed = sgdTrainerOptionsSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(options)'}: ${issue.message}`).join('; ');
  throw new OmnipruneError('E_SCHEMA', `invalid SGD trainer options: ${issues}`, {
    plugin: 'trainer:sgd',
    hint: 'fix the listed option(s); see sgdTrainerOptionsSchema for types and defaults',
    cause: parsed.error,
  });
}
