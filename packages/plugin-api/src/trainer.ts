import type * as tfl from '@tensorflow/tfjs-layers';
import type { Batch, ImageDataset, Rng } from './data-types.js';

/**
 * A compute backend as a trainer sees it (core's `Backend` is one): activate it before computing, since TF.js has one
 * active backend per process and another component may have switched it.
 */
export interface ComputeBackend {
  readonly name: string;
  activate(): Promise<void>;
}

/**
 * The training data the trainer consumes: a function from the 0-based epoch to that epoch's batches.
 * A source must be a pure function of `epoch` (e.g. shuffle with a seed derived from it) for runs to be
 * reproducible. Core's `datasetBatches` is the default implementation.
 * @example
 * const source: BatchSource = (epoch) => datasetBatches(train, { batchSize: 64, seed: 1 })(epoch);
 */
export type BatchSource = (epoch: number) => Iterable<Batch>;

/** Context passed to an {@link AugmentFn} for one batch. */
export interface AugmentContext {
  /** Shape of one input sample as the model expects it, without the batch axis, e.g. `[32, 32, 3]`. */
  readonly sampleShape: readonly number[];
  /** Number of samples in the batch. */
  readonly size: number;
  /** 0-based epoch. */
  readonly epoch: number;
  /** 0-based step within the epoch. */
  readonly step: number;
  /** A generator seeded from the trainer seed, the epoch and the step: use it for every random choice. */
  readonly rng: Rng;
}

/**
 * Batch augmentation hook, applied to each training batch's pixels before tensors are made
 * (pad-crop, flips, ...). Return the augmented pixels (same length); mutating `x` in place and
 * returning it is fine because core's `datasetBatches` yields fresh arrays.
 * @example
 * const flip: AugmentFn = (x, ctx) => (ctx.rng.next() < 0.5 ? mirror(x, ctx) : x);
 */
export type AugmentFn = (x: Float32Array, ctx: AugmentContext) => Float32Array;

/** Mean loss and accuracy over the validation set. */
export interface LossAccuracy {
  /** Mean softmax cross-entropy per sample (no label smoothing, no regularisation terms). */
  readonly loss: number;
  /** Fraction of samples whose arg-max prediction equals the label, in [0, 1]. */
  readonly accuracy: number;
}

/**
 * A progress event of {@link Trainer.fit}. `epoch` is 0-based; `step` counts the batches completed in
 * this epoch (0 at `epoch-start`). `loss`/`accuracy` are running means over the epoch's batches so far.
 */
export interface TrainEvent {
  readonly type: 'epoch-start' | 'batch-end' | 'epoch-end';
  /** 0-based epoch. */
  readonly epoch: number;
  /** Total epochs of this fit (early stopping may end sooner). */
  readonly epochs: number;
  /** Batches completed in this epoch. */
  readonly step: number;
  /** Batches per epoch, when known (always for an ImageDataset; from the first epoch on for a BatchSource). */
  readonly stepsPerEpoch?: number;
  /** Running mean training objective of this epoch (cross-entropy incl. label smoothing and model regularisers). */
  readonly loss: number;
  /** Running mean training accuracy of this epoch. */
  readonly accuracy: number;
  /** Learning rate used in this epoch. */
  readonly lr: number;
  /** Training throughput of this epoch so far. */
  readonly imagesPerSecond: number;
  /** Estimated seconds until the whole fit ends (NaN while unknown). */
  readonly etaSeconds: number;
  /** Validation result, on `epoch-end` when a validation set was given. */
  readonly val?: LossAccuracy;
}

/** Options of one {@link Trainer.fit} call. */
export interface FitOptions {
  /** Overrides the trainer's `epochs`. */
  epochs?: number;
  /** Evaluated after every epoch; required by early stopping. */
  validation?: ImageDataset;
  /** Progress callback, e.g. `createProgressRenderer()`. Must not throw. */
  onEvent?: (event: TrainEvent) => void;
  /** Aborting rejects `fit` with the signal's reason after the current step; weights stay as trained so far. */
  signal?: AbortSignal;
  /**
   * Resume an interrupted run (Keras' `initial_epoch`): the number of epochs already done, their history and the
   * optimizer state saved by {@link FitOptions.onEpochEnd}. The model must hold the weights of that moment. With the
   * same seed and data, the result equals an uninterrupted run (batch order and augmentation depend on epoch and step).
   */
  resume?: TrainResumeState;
  /** The compute backend to train on, activated before the first step (default: whatever TF.js has active). */
  backend?: ComputeBackend;
  /**
   * The teacher of a distilled fit (the trainer's `distill` option): its logits, in inference mode, are the soft
   * targets. Required when `distill` is set; ignored otherwise. The fit neither trains nor disposes it.
   */
  teacher?: tfl.LayersModel;
  /** Called (and awaited) after every epoch with what a checkpoint needs to resume; e.g. save the model and this state. */
  onEpochEnd?: (state: TrainResumeState) => Promise<void> | void;
}

/** Where a training run is after some epochs: enough, with the model's weights, to resume it exactly. */
export interface TrainResumeState {
  /** Epochs finished. */
  readonly epochsDone: number;
  /** Their summaries. */
  readonly history: readonly EpochSummary[];
  /** The optimizer's buffers (momentum), one per trainable weight in order; null where none exists yet. */
  readonly optimizer: readonly (Float32Array | null)[];
}

/** Summary of one finished epoch. */
export interface EpochSummary {
  readonly epoch: number;
  readonly lr: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly seconds: number;
  /** Training images the epoch went through (all passes), when the trainer reports it. */
  readonly images?: number;
  readonly val?: LossAccuracy;
}

/** What {@link Trainer.fit} returns. */
export interface FitResult {
  /** One entry per epoch run. */
  readonly history: EpochSummary[];
  /** Number of epochs actually run. */
  readonly epochsRun: number;
  /** True when early stopping ended training before `epochs`. */
  readonly stoppedEarly: boolean;
  /** 0-based epoch whose weights the model holds at the end, when early stopping restored them. */
  readonly restoredEpoch?: number;
  /** Best monitored validation value under early stopping. */
  readonly bestMonitorValue?: number;
  /** Wall-clock seconds of the fit. */
  readonly seconds: number;
}

/** Options of {@link Trainer.evaluate} and the prediction helpers. */
export interface EvaluateOptions {
  /** Batch size; defaults to the trainer's batch size (128 for the helpers). */
  batchSize?: number;
}

/**
 * Trains and evaluates classification models in place.
 * @example
 * const trainer = createSgdTrainer({ epochs: 10, lr: 0.01 });
 * await trainer.fit(model, train, { validation: test, onEvent: createProgressRenderer() });
 * const { accuracy } = await trainer.evaluate(model, test);
 */
export interface Trainer {
  /** Train `model` in place; resolves when training ends, rejects with `E_NAN_LOSS` on a non-finite loss. */
  fit(model: tfl.LayersModel, train: ImageDataset | BatchSource, opts?: FitOptions): Promise<FitResult>;
  /** Batched, gradient-free mean loss and accuracy of `model` on `ds`. */
  evaluate(model: tfl.LayersModel, ds: ImageDataset, opts?: EvaluateOptions): Promise<LossAccuracy>;
}

/** Models a fine-tune can distil from: the pipeline's unpruned model and the model the fine-tuned one was pruned from. */
export interface TrainerTeachers {
  readonly base?: tfl.LayersModel;
  readonly parent?: tfl.LayersModel;
}

/** Per-fit settings the host supplies: a derived seed, the data pipeline's augmentation and the run's backend. */
export interface TrainerRun {
  seed: number;
  augment?: AugmentFn;
  /** The run's compute backend: the trainer activates it before training. */
  backend?: ComputeBackend;
  /** Teachers for distillation (read by trainers with a `distill` option; the trainer neither trains nor disposes them). */
  teachers?: TrainerTeachers;
}

/**
 * What a trainer plugin creates (`defineTrainer`): a factory of trainers, one per fit.
 * @example
 * export const plugin = defineTrainer({ name: 'adam', description: '...', options, create: (o): TrainerFactory => (run) => myTrainer(o, run) });
 */
export type TrainerFactory = (run: TrainerRun) => Trainer;
