import type { FitResult } from '@omniprune/plugin-api';

export type {
  AugmentContext,
  AugmentFn,
  BatchSource,
  ComputeBackend,
  EpochSummary,
  EvaluateOptions,
  FitOptions,
  FitResult,
  LossAccuracy,
  TrainEvent,
  Trainer,
  TrainerFactory,
  TrainerRun,
  TrainerTeachers,
  TrainResumeState,
} from '@omniprune/plugin-api';
export type { Batch } from '../data/batches.js';

/** Training images a fit went through, summed over its epochs (those a trainer did not count add 0). */
export function trainedImages(fit: Pick<FitResult, 'history'>): number {
  return fit.history.reduce((sum, h) => sum + (h.images ?? 0), 0);
}
