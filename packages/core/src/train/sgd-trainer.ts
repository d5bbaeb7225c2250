import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../data/types.js';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { createRng } from '../util/rng.js';
import { batchesPerEpoch, datasetBatches, deriveSeed } from './batches.js';
import { createEarlyStopper } from './early-stopping.js';
import { assertTrainableOnBackend } from './gradient-kernels.js';
import { checkDataset, correctCount, evaluateClassifier, regularizationLosses, resolveHead, softmaxCrossEntropy, type ClassifierHead } from './forward.js';
import { distillationLoss, teacherLogits, type DistillOptions, type TeacherLogits } from './distill.js';
import { parseSgdTrainerOptions, type SgdTrainerOptions, type SgdTrainerOptionsInput } from './options.js';
import { learningRateAt } from './schedule.js';
import { createSgd, layerVariableParams } from './sgd.js';
import type { Batch, BatchSource, EpochSummary, FitOptions, FitResult, TrainEvent, Trainer } from './types.js';

const PLUGIN = 'trainer:sgd';

/**
 * Create the SGD trainer (momentum/Nesterov, per-epoch LR schedule, label smoothing, early stopping).
 * Options are validated with {@link sgdTrainerOptionsSchema} (defaults listed there); invalid options throw
 * `E_SCHEMA`. `fit` trains in place with `model.apply(x, { training: true })` (BatchNorm statistics update),
 * computes the loss from the `logits` layer when present, adds the model's own regularisation losses
 * (see {@link regularizationLosses}), and disposes its optimizer state before resolving or rejecting.
 * @example
 * const trainer = createSgdTrainer({ epochs: 10, weightDecay: 1e-4, schedule: { type: 'cosine', minLr: 0 } });
 * const result = await trainer.fit(model, train, { validation: test, onEvent: createProgressRenderer() });
 */
export function createSgdTrainer(input: SgdTrainerOptionsInput = {}): Trainer {
  const options = parseSgdTrainerOptions(input);
  return {
    fit: (model, train, opts = {}) => fitSgd(model, train, options, opts),
    evaluate: (model, ds, opts = {}) => evaluateClassifier(model, ds, { batchSize: opts.batchSize ?? options.batchSize }),
  };
}

interface StepStats {
  loss: number;
  correct: number;
}

function badInput(message: string, hint: string): OmnipruneError {
  return new OmnipruneError('E_BAD_INPUT', message, { plugin: PLUGIN, hint });
}

function checkBatch(batch: Batch, sampleSize: number, numClasses: number, where: string): void {
  const { x, y, size } = batch;
  if (!(size > 0) || x.length !== size * sampleSize || y.length !== size) {
    throw badInput(
      `${where}: batch of size ${size} has ${x.length} pixel values and ${y.length} labels, ` + `expected ${size * sampleSize} and ${size}`,
      'make the batch source yield { x, y, size } matching the model input',
    );
  }
  for (let i = 0; i < size; i++) {
    if (!(y[i] >= 0 && y[i] < numClasses)) {
      throw badInput(`${where}: label ${y[i]} outside [0, ${numClasses})`, 'check the dataset labels and numClasses');
    }
  }
}

/** What one step's loss needs besides the batch: label smoothing, and the teacher of a distilled fit. */
interface StepLoss {
  readonly labelSmoothing: number;
  readonly distill?: { readonly options: DistillOptions; readonly teacher: TeacherLogits };
}

/** The batch's mean objective: cross-entropy, or the distillation loss when a teacher is given. */
function batchObjective(out: tf.Tensor2D, ys: tf.Tensor1D, teacher: tf.Tensor2D | undefined, head: ClassifierHead, loss: StepLoss): tf.Scalar {
  if (!teacher || !loss.distill) return tf.mean(softmaxCrossEntropy(out, ys, { fromLogits: head.fromLogits, labelSmoothing: loss.labelSmoothing }));
  const { alpha, temperature } = loss.distill.options;
  return tf.mean(distillationLoss(out, teacher, ys, { alpha, temperature, fromLogits: head.fromLogits }));
}

/** One forward/backward pass: gradients of the objective, plus [objective, correct count] as a tensor. */
function computeGradients(
  model: tfl.LayersModel,
  head: ClassifierHead,
  variables: tf.Variable[],
  batch: { x: Float32Array; y: Int32Array; size: number; indices?: Int32Array },
  loss: StepLoss,
): { grads: tf.NamedTensorMap; stats: tf.Tensor1D } {
  return tf.tidy(() => {
    const xs = tf.tensor(batch.x, [batch.size, ...head.sampleShape]);
    const ys = tf.tensor1d(batch.y, 'int32');
    const teacher = loss.distill?.teacher.of(xs, batch.indices);
    let correct: tf.Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const out = head.forward(xs, true);
      const ce = batchObjective(out, ys, teacher, head, loss);
      correct = tf.keep(correctCount(out, ys));
      const regularizers = regularizationLosses(model);
      return regularizers.length > 0 ? (tf.addN([ce, ...regularizers]) as tf.Scalar) : ce;
    }, variables);
    const stats = tf.stack([value, correct!]) as tf.Tensor1D;
    correct!.dispose();
    return { grads, stats };
  });
}

/**
 * Turn tfjs's "Kernel 'X' not registered for backend 'Y'" into an actionable `E_BACKEND`. A safety net behind
 * {@link assertTrainableOnBackend}: a backward pass failing this way leaks the forward's saved tensors in tfjs.
 */
function withBackendHint<T>(run: () => T): T {
  try {
    return run();
  } catch (cause) {
    const missing = /Kernel '([^']+)' not registered for backend '([^']+)'/.exec(String((cause as Error)?.message));
    if (!missing) throw cause;
    throw new OmnipruneError('E_BACKEND', `the ${missing[2]} backend cannot train this model: it has no ${missing[1]} ` + 'kernel, needed for gradients', {
      plugin: PLUGIN,
      hint: `train on the cpu backend (tf.setBackend('cpu')) or tfjs-node; ${missing[2]} can still evaluate and predict`,
      cause,
    });
  }
}

/** The batches of one epoch: pass p of epoch e reads the source's order number e * passes + p (one pass: e). */
function* epochPasses(source: BatchSource, epoch: number, passes: number): Generator<Batch> {
  for (let p = 0; p < passes; p++) yield* source(epoch * passes + p);
}

/** The teacher side of a distilled fit, or undefined without `distill`; logits cached when no augmentation changes the images. */
async function prepareDistillation(
  options: SgdTrainerOptions,
  opts: FitOptions,
  train: ImageDataset | BatchSource,
  numClasses: number,
): Promise<StepLoss['distill']> {
  if (!options.distill) return undefined;
  if (!opts.teacher) {
    throw badInput('distill is set but the fit was given no teacher model', 'pass fit(model, train, { teacher }) or drop the distill option');
  }
  const clean = options.distill.teacherInput === 'clean';
  if (clean && typeof train === 'function') {
    throw badInput(
      'distill.teacherInput: clean looks the teacher up by image, which a batch source does not give',
      'fit an ImageDataset, or use teacherInput: augmented',
    );
  }
  const cache = (options.distill.cacheTeacher || clean) && (clean || !options.augment) && typeof train !== 'function';
  const teacher = await teacherLogits(opts.teacher, typeof train === 'function' ? undefined : train, { cache, numClasses });
  return { options: options.distill, teacher };
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function fitSgd(model: tfl.LayersModel, train: ImageDataset | BatchSource, options: SgdTrainerOptions, opts: FitOptions): Promise<FitResult> {
  const started = performance.now();
  const epochs = opts.epochs ?? options.epochs;
  if (!Number.isInteger(epochs) || epochs < 1) throw badInput(`epochs must be a positive integer, got ${epochs}`, 'pass e.g. { epochs: 10 }');
  const head = resolveHead(model);
  const sampleSize = head.sampleShape.reduce((a, b) => a * b, 1);
  let source: BatchSource;
  let stepsPerEpoch: number | undefined;
  if (typeof train === 'function') {
    source = train;
  } else {
    checkDataset(train, head, model.name);
    source = datasetBatches(train, { batchSize: options.batchSize, shuffle: options.shuffle, seed: options.seed });
    stepsPerEpoch = batchesPerEpoch(train.count, options.batchSize) * options.passesPerEpoch;
  }
  if (opts.validation) checkDataset(opts.validation, head, model.name);
  if (options.earlyStopping && !opts.validation) {
    throw badInput('early stopping needs a validation set', 'pass fit(model, train, { validation }) or drop earlyStopping');
  }
  await opts.backend?.activate();
  assertTrainableOnBackend(model, PLUGIN);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (variables.length === 0) throw badInput(`model ${model.name} has no trainable weights`, 'unfreeze some layers before fitting');

  if (opts.resume && options.earlyStopping) {
    throw badInput('cannot resume a training that uses early stopping (its best weights are not checkpointed)', 'drop earlyStopping or restart the training');
  }
  const sgd = createSgd(layerVariableParams(model), options);
  const stopper = options.earlyStopping ? createEarlyStopper(model, options.earlyStopping) : undefined;
  const history: EpochSummary[] = [...(opts.resume?.history ?? [])];
  const firstEpoch = opts.resume?.epochsDone ?? 0;
  if (!Number.isInteger(firstEpoch) || firstEpoch < 0 || firstEpoch > epochs) {
    sgd.dispose();
    throw badInput(`cannot resume after epoch ${firstEpoch} of a ${epochs}-epoch training`, 'restart the training');
  }
  if (opts.resume) sgd.importState(opts.resume.optimizer);
  let distill: StepLoss['distill'];
  try {
    distill = await prepareDistillation(options, opts, train, head.numClasses);
  } catch (e) {
    sgd.dispose();
    stopper?.dispose();
    throw e;
  }
  const stepLoss: StepLoss = { labelSmoothing: options.labelSmoothing, distill };
  const emit = (event: TrainEvent): void => opts.onEvent?.(event);
  let stepsDone = 0;
  let stoppedEarly = false;
  let restoredEpoch: number | undefined;
  try {
    for (let epoch = firstEpoch; epoch < epochs; epoch++) {
      opts.signal?.throwIfAborted();
      const lr = learningRateAt(options, epoch, epochs);
      const epochStart = performance.now();
      let step = 0;
      let seen = 0;
      let lossSum = 0;
      let correctSum = 0;
      const progress = (type: TrainEvent['type']): TrainEvent => {
        const now = performance.now();
        const remaining = stepsPerEpoch === undefined ? NaN : (epochs - firstEpoch) * stepsPerEpoch - stepsDone;
        return {
          type,
          epoch,
          epochs,
          step,
          stepsPerEpoch,
          lr,
          loss: seen > 0 ? lossSum / seen : NaN,
          accuracy: seen > 0 ? correctSum / seen : NaN,
          imagesPerSecond: seen > 0 ? seen / Math.max((now - epochStart) / 1000, 1e-9) : 0,
          etaSeconds: stepsDone > 0 ? (remaining * (now - started)) / 1000 / stepsDone : NaN,
        };
      };
      emit(progress('epoch-start'));
      for (const batch of epochPasses(source, epoch, options.passesPerEpoch)) {
        opts.signal?.throwIfAborted();
        const where = `epoch ${epoch + 1}, step ${step + 1}`;
        checkBatch(batch, sampleSize, head.numClasses, where);
        let x = batch.x;
        let indices = batch.indices;
        if (options.augment) {
          // augmented pixels: the teacher must see them, not look up the clean image's logits (unless told to)
          if (options.distill?.teacherInput !== 'clean') indices = undefined;
          const rng = createRng(deriveSeed(options.seed, epoch, step, 0xa0));
          x = options.augment(x, { sampleShape: head.sampleShape, size: batch.size, epoch, step, rng });
          if (!(x instanceof Float32Array) || x.length !== batch.size * sampleSize) {
            throw badInput(
              `${where}: augment returned ${x?.length} values, expected ${batch.size * sampleSize}`,
              'the augment hook must return a Float32Array of the same length as its input',
            );
          }
        }
        const { grads, stats } = withBackendHint(() => computeGradients(model, head, variables, { x, y: batch.y, size: batch.size, indices }, stepLoss));
        let values: StepStats;
        try {
          const [loss, correct] = await stats.data();
          values = { loss, correct };
          if (!Number.isFinite(loss)) {
            throw new OmnipruneError(
              'E_NAN_LOSS',
              `training loss is ${loss} at epoch ${epoch + 1}/${epochs}, ` + `step ${step + 1} (lr ${lr}); the weights hold the values from before this step`,
              {
                plugin: PLUGIN,
                hint: `lower the learning rate (e.g. lr: ${lr / 10}), add warmupEpochs, or check the inputs for NaN/Inf`,
              },
            );
          }
          sgd.step(grads, lr);
        } finally {
          stats.dispose();
          tf.dispose(grads);
        }
        step++;
        stepsDone++;
        seen += batch.size;
        lossSum += values.loss * batch.size;
        correctSum += values.correct;
        emit(progress('batch-end'));
        await yieldToEventLoop();
      }
      if (step === 0) throw badInput(`the batch source yielded no batches for epoch ${epoch + 1}`, 'check the training data is not empty');
      stepsPerEpoch ??= step;
      const val = opts.validation ? await evaluateClassifier(model, opts.validation, { batchSize: options.batchSize }) : undefined;
      const end = progress('epoch-end');
      history.push({ epoch, lr, loss: end.loss, accuracy: end.accuracy, seconds: (performance.now() - epochStart) / 1000, images: seen, val });
      emit({ ...end, val });
      await opts.onEpochEnd?.({ epochsDone: epoch + 1, history: [...history], optimizer: sgd.exportState() });
      if (stopper && val && stopper.update(epoch, val) && epoch < epochs - 1) {
        stoppedEarly = true;
        break;
      }
    }
    restoredEpoch = stopper?.restore();
  } finally {
    sgd.dispose();
    stopper?.dispose();
    distill?.teacher.dispose();
  }
  return {
    history,
    epochsRun: history.length,
    stoppedEarly,
    restoredEpoch,
    bestMonitorValue: stopper?.bestValue,
    seconds: (performance.now() - started) / 1000,
  };
}
