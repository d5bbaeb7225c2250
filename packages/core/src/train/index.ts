export type {
  AugmentContext,
  AugmentFn,
  Batch,
  BatchSource,
  EpochSummary,
  EvaluateOptions,
  LossAccuracy,
  FitOptions,
  TrainResumeState,
  FitResult,
  TrainEvent,
  Trainer,
} from './types.js';
export {
  earlyStoppingSchema,
  lrScheduleSchema,
  parseSgdTrainerOptions,
  sgdTrainerOptionsSchema,
  type EarlyStoppingOptions,
  type LrSchedule,
  type SgdTrainerOptions,
  type SgdTrainerOptionsInput,
} from './options.js';
export { learningRateAt, type LrScheduleOptions } from './schedule.js';
export { batchesPerEpoch, datasetBatches, deriveSeed, type DatasetBatchesOptions } from './batches.js';
export {
  PROB_EPSILON,
  evaluateClassifier,
  predict,
  predictLogits,
  regularizationLosses,
  softmaxCrossEntropy,
  type CrossEntropyOptions,
  type PredictOptions,
} from './forward.js';
export { lossGradients } from './loss-gradients.js';
export { assertTrainableOnBackend, missingGradientKernels } from './gradient-kernels.js';
export { createSgd, isKernelWeight, type SgdConfig, type SgdOptimizer, type SgdParam } from './sgd.js';
export { createSgdTrainer } from './sgd-trainer.js';
export {
  createProgressRenderer,
  formatDuration,
  type ProgressRendererOptions,
  type ProgressStream,
} from './progress-bar.js';
export { augmentFromSteps } from './augment-from-steps.js';
export { distillSchema, distillationLoss, teacherLogits, type DistillOptions, type TeacherLogits } from './distill.js';
export { classifierOutput } from './classifier-output.js';
export type { ClassifierOutput } from './classifier-output.js';
export { sgdTrainerPlugin, sgdTrainerPluginOptions } from './sgd-trainer-plugin.js';
export type { TrainerFactory, TrainerRun } from './sgd-trainer-plugin.js';
export { saveTrainCheckpoint, readTrainCheckpoint, removeTrainCheckpoint, CHECKPOINT_DIR } from './train-checkpoint.js';
