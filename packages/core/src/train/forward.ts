import * as tf from '@tensorflow/tfjs-core';
import type { ClassifierForward, PredictOptions } from '@omniprune/plugin-api';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../data/types.js';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { classifierOutput } from './classifier-output.js';

/** Probabilities are clipped to this before `log` when a model has no logits layer. */
export const PROB_EPSILON = 1e-7;

/** How the trainer runs a classifier: to its logits when it has a logits layer, else to its probabilities. */
export interface ClassifierHead {
  /** True when {@link ClassifierHead.forward} returns logits, false when it returns probabilities. */
  readonly fromLogits: boolean;
  /** Width of the output. */
  readonly numClasses: number;
  /** Shape of one input sample, without the batch axis. */
  readonly sampleShape: number[];
  /** Forward pass of a batch, `[batch, numClasses]`; `training` switches BatchNorm/Dropout to training mode. */
  forward(x: tf.Tensor, training: boolean): tf.Tensor2D;
}

const heads = new WeakMap<tfl.LayersModel, { key: string; head: ClassifierHead }>();

/**
 * How to run `model` for the loss and the scores: through the sub-model ending at its logits layer (sharing the
 * model's weights) when {@link classifierOutput} finds one, else the model itself, read as probabilities.
 */
export function resolveHead(model: tfl.LayersModel): ClassifierHead {
  const decision = classifierOutput(model);
  const key = `${decision.logitsLayer}|${decision.output}`;
  const cached = heads.get(model);
  if (cached?.key === key) return cached.head;
  const rawSample = model.inputs[0].shape.slice(1);
  if (rawSample.some((d) => d == null)) {
    throw new OmnipruneError(
      'E_UNSUPPORTED_MODEL',
      `model ${model.name} input shape [${model.inputs[0].shape.join(', ')}] ` + 'has unknown dimensions besides the batch axis',
      { hint: 'give the Input a full shape (height, width, channels)' },
    );
  }
  const sampleShape = rawSample as number[];
  const layer = decision.logitsLayer === null ? undefined : model.getLayer(decision.logitsLayer);
  const output = (layer ? layer.output : model.outputs[0]) as tfl.SymbolicTensor;
  const runner = output === model.outputs[0] ? model : tfl.model({ inputs: model.inputs, outputs: output });
  const head: ClassifierHead = {
    fromLogits: layer !== undefined,
    numClasses: output.shape[1] as number,
    sampleShape,
    forward: (x, training) => runner.apply(x, { training }) as tf.Tensor2D,
  };
  heads.set(model, { key, head });
  return head;
}

/**
 * The model as a differentiable classifier in inference mode (the `services.model.classifier` plugins compute
 * input gradients with): {@link resolveHead}'s forward pass and the matching cross-entropy.
 * @example
 * const c = classifierForward(model);
 * const g = tf.grad((x: tf.Tensor4D) => tf.mean(c.crossEntropy(c.forward(x), labels)))(images);
 */
export function classifierForward(model: tfl.LayersModel): ClassifierForward {
  const head = resolveHead(model);
  return {
    fromLogits: head.fromLogits,
    numClasses: head.numClasses,
    forward: (x) => head.forward(x, false),
    crossEntropy: (output, labels) => softmaxCrossEntropy(output, labels, { fromLogits: head.fromLogits }),
  };
}

/**
 * The model's own regularisation terms (kernel/bias regularisers), one scalar per regulariser, computed from
 * the current weights so gradients flow through them. Walks the layers (recursing into nested models), each
 * layer counted once: `model.calculateLosses()` misses a Sequential whose inner model is not built yet.
 */
export function regularizationLosses(model: tfl.LayersModel): tf.Scalar[] {
  const losses: tf.Scalar[] = [];
  const seen = new Set<tfl.layers.Layer>();
  const visit = (layers: tfl.layers.Layer[]): void => {
    for (const layer of layers) {
      if (seen.has(layer)) continue;
      seen.add(layer);
      if (layer instanceof tfl.LayersModel) visit(layer.layers);
      else losses.push(...layer.calculateLosses());
    }
  };
  visit(model.layers);
  return losses;
}

/** Options of {@link softmaxCrossEntropy}. */
export interface CrossEntropyOptions {
  /** `output` holds logits (true) or probabilities (false, clipped to {@link PROB_EPSILON} before `log`). */
  fromLogits: boolean;
  /** Target is `(1 - s) * onehot + s / K`. Default 0. */
  labelSmoothing?: number;
}

/**
 * Per-sample softmax cross-entropy `-sum_k t_k log p_k` of `[batch, K]` outputs against int32 labels.
 * @example
 * const perSample = softmaxCrossEntropy(logits, labels, { fromLogits: true, labelSmoothing: 0.1 });
 */
export function softmaxCrossEntropy(output: tf.Tensor2D, labels: tf.Tensor1D, options: CrossEntropyOptions): tf.Tensor1D {
  return tf.tidy(() => {
    const k = output.shape[1];
    const logp = options.fromLogits ? tf.logSoftmax(output) : tf.log(tf.clipByValue(output, PROB_EPSILON, 1));
    let target: tf.Tensor = tf.cast(tf.oneHot(labels, k), 'float32');
    const s = options.labelSmoothing ?? 0;
    if (s > 0) target = tf.add(tf.mul(target, 1 - s), s / k);
    return tf.neg(tf.sum(tf.mul(target, logp), -1)) as tf.Tensor1D;
  });
}

/** Number of rows whose arg-max equals the label, as a float32 scalar. */
export function correctCount(output: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(output, -1), labels), 'float32')) as tf.Scalar);
}

/** Check that `ds` fits `head`: same sample size and class count. */
export function checkDataset(ds: ImageDataset, head: ClassifierHead, modelName: string): void {
  const sample = ds.shape[0] * ds.shape[1] * ds.shape[2];
  const expected = head.sampleShape.reduce((a, b) => a * b, 1);
  if (sample !== expected) {
    throw new OmnipruneError(
      'E_BAD_INPUT',
      `dataset ${ds.name} images are [${ds.shape.join(', ')}] but model ` + `${modelName} expects [${head.sampleShape.join(', ')}]`,
      { plugin: 'trainer:sgd', hint: 'use the dataset the model was built for' },
    );
  }
  if (ds.numClasses !== head.numClasses) {
    throw new OmnipruneError('E_BAD_INPUT', `dataset ${ds.name} has ${ds.numClasses} classes but model ${modelName} ` + `outputs ${head.numClasses}`, {
      plugin: 'trainer:sgd',
      hint: 'rebuild the model for this dataset',
    });
  }
}

/** Yield `[start, size]` of consecutive batches over `count` items. */
export function* batchRanges(count: number, batchSize: number): Generator<[number, number]> {
  for (let start = 0; start < count; start += batchSize) yield [start, Math.min(batchSize, count - start)];
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new OmnipruneError('E_BAD_INPUT', `batchSize must be a positive integer, got ${batchSize}`, {
      plugin: 'trainer:sgd',
      hint: 'pass e.g. { batchSize: 128 }',
    });
  }
}

/**
 * Batched, gradient-free mean cross-entropy (no smoothing, no regularisers) and accuracy of `model` on `ds`.
 * @example
 * const { loss, accuracy } = await evaluateClassifier(model, test, { batchSize: 256 });
 */
export async function evaluateClassifier(
  model: tfl.LayersModel,
  ds: ImageDataset,
  options: { batchSize?: number } = {},
): Promise<{ loss: number; accuracy: number }> {
  const batchSize = options.batchSize ?? 128;
  checkBatchSize(batchSize);
  const head = resolveHead(model);
  checkDataset(ds, head, model.name);
  const sample = ds.shape[0] * ds.shape[1] * ds.shape[2];
  let lossSum = 0;
  let correct = 0;
  for (const [start, size] of batchRanges(ds.count, batchSize)) {
    const stats = tf.tidy(() => {
      const x = tf.tensor(ds.images.subarray(start * sample, (start + size) * sample), [size, ...head.sampleShape]);
      const y = tf.tensor1d(ds.labels.subarray(start, start + size), 'int32');
      const out = head.forward(x, false);
      const loss = tf.sum(softmaxCrossEntropy(out, y, { fromLogits: head.fromLogits }));
      return tf.stack([loss, correctCount(out, y)]);
    });
    const [l, c] = await stats.data();
    stats.dispose();
    lossSum += l;
    correct += c;
  }
  return ds.count === 0 ? { loss: NaN, accuracy: NaN } : { loss: lossSum / ds.count, accuracy: correct / ds.count };
}

export async function collectOutputs(
  ds: ImageDataset,
  batchSize: number,
  dim: number,
  sampleShape: number[],
  run: (x: tf.Tensor) => tf.Tensor,
): Promise<Float32Array> {
  checkBatchSize(batchSize);
  const sample = ds.shape[0] * ds.shape[1] * ds.shape[2];
  const result = new Float32Array(ds.count * dim);
  for (const [start, size] of batchRanges(ds.count, batchSize)) {
    const out = tf.tidy(() => run(tf.tensor(ds.images.subarray(start * sample, (start + size) * sample), [size, ...sampleShape])));
    result.set((await out.data()) as Float32Array, start * dim);
    out.dispose();
  }
  return result;
}

/** Options of {@link predict} and {@link predictLogits} (declared in `@omniprune/plugin-api`). */
export type { PredictOptions };

/**
 * The model's outputs (inference mode) for every image of `ds`, row-major `[ds.count, outputDim]`.
 * @example
 * const probs = await predict(model, test); // probs.length === test.count * test.numClasses
 */
export async function predict(model: tfl.LayersModel, ds: ImageDataset, options: PredictOptions = {}): Promise<Float32Array> {
  const head = resolveHead(model);
  checkDataset(ds, head, model.name);
  const outDim = (model.outputs[0].shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  return collectOutputs(ds, options.batchSize ?? 128, outDim, head.sampleShape, (x) => model.apply(x, { training: false }) as tf.Tensor);
}

/**
 * Logits (inference mode) for every image of `ds`, row-major `[ds.count, numClasses]`: the output of the
 * logits layer {@link classifierOutput} finds, or `log(max(p, 1e-7))` of the model's probabilities when there is none
 * (logits up to a per-row constant, which softmax and KL ignore).
 * @example
 * const logits = await predictLogits(model, test, { batchSize: 256 });
 */
export async function predictLogits(model: tfl.LayersModel, ds: ImageDataset, options: PredictOptions = {}): Promise<Float32Array> {
  const head = resolveHead(model);
  checkDataset(ds, head, model.name);
  return collectOutputs(ds, options.batchSize ?? 128, head.numClasses, head.sampleShape, (x) => {
    const out = head.forward(x, false);
    return head.fromLogits ? out : tf.log(tf.clipByValue(out, PROB_EPSILON, 1));
  });
}
