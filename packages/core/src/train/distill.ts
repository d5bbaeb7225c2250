import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import type { ImageDataset } from '../data/types.js';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { predictLogits, PROB_EPSILON, softmaxCrossEntropy, resolveHead } from './forward.js';

/**
 * Knowledge distillation (Hinton et al. 2015) on a fine-tune: the loss is
 * `alpha * T^2 * KL(softmax(teacher / T) || softmax(student / T)) + (1 - alpha) * cross-entropy(student, label)`.
 * - `alpha` 0.9 (weight of the teacher term; 0 = plain cross-entropy, 1 = teacher only);
 * - `temperature` 4 (T; the `T^2` factor keeps the gradient scale of the soft term independent of T);
 * - `teacher` `base` (the pipeline's unpruned model) or `parent` (the model the fine-tuned one was pruned from);
 * - `cacheTeacher` true: without augmentation the teacher's logits for the training images are computed once and
 *   looked up per batch; with augmentation the teacher runs on the same augmented batch as the student;
 * - `teacherInput` `augmented`: the teacher sees exactly the student's (augmented) batch; `clean`: the teacher's logits
 *   of the un-augmented images, computed once per fine-tune, are the targets of every augmented copy (a teacher forward
 *   pass per image per fine-tune instead of per epoch; the targets no longer match the crop or flip the student sees).
 * @example
 * distillSchema.parse({ alpha: 0.7, temperature: 2 }); // teacher: 'base', cacheTeacher: true
 */
export const distillSchema = z.strictObject({
  alpha: z.number().min(0).max(1).default(0.9),
  temperature: z.number().positive().default(4),
  teacher: z.enum(['base', 'parent']).default('base'),
  cacheTeacher: z.boolean().default(true),
  teacherInput: z.enum(['augmented', 'clean']).default('augmented'),
});

/** Distillation settings after defaults. */
export type DistillOptions = z.output<typeof distillSchema>;

/**
 * Per-sample distillation loss of `[batch, K]` student outputs against teacher logits and labels (see
 * {@link distillSchema} for the formula). `fromLogits: false` reads the student's output as probabilities
 * (their clipped log is used as logits, equal up to a per-row constant that softmax ignores).
 * @example
 * const perSample = distillationLoss(studentLogits, teacherLogits, labels, { alpha: 0.9, temperature: 4, fromLogits: true });
 */
export function distillationLoss(
  student: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  options: { alpha: number; temperature: number; fromLogits: boolean },
): tf.Tensor1D {
  return tf.tidy(() => {
    const { alpha, temperature: t } = options;
    const ce = softmaxCrossEntropy(student, labels, { fromLogits: options.fromLogits });
    if (alpha === 0) return ce;
    const studentLogits = options.fromLogits ? student : tf.log(tf.clipByValue(student, PROB_EPSILON, 1));
    const logPs = tf.logSoftmax(tf.div(studentLogits, t));
    const logPt = tf.logSoftmax(tf.div(teacherLogits, t));
    const kl = tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), -1);
    const soft = tf.mul(kl, alpha * t * t);
    return (alpha === 1 ? soft : tf.add(soft, tf.mul(ce, 1 - alpha))) as tf.Tensor1D;
  });
}

/**
 * The teacher side of a distilled fit: logits for a batch, either looked up (rows of the training set, computed
 * once) or computed on the batch itself. Owns the cached tensor; call `dispose` when the fit ends.
 */
export interface TeacherLogits {
  /** Logits `[size, K]` of the batch `x`; `indices` are the batch's rows in the training set when it is un-augmented. */
  of(x: tf.Tensor, indices: Int32Array | undefined): tf.Tensor2D;
  /** True when the logits come from a cache of the training set. */
  readonly cached: boolean;
  dispose(): void;
}

/** The teacher's logits on a batch in inference mode (BatchNorm statistics, no dropout), no gradient. */
function runTeacher(teacher: tfl.LayersModel, x: tf.Tensor): tf.Tensor2D {
  const head = resolveHead(teacher);
  const out = head.forward(x, false);
  return (head.fromLogits ? out : tf.log(tf.clipByValue(out, PROB_EPSILON, 1))) as tf.Tensor2D;
}

/**
 * Prepare the teacher for a fit: with `cache` and a training set, its logits for every training image are computed
 * once (so an epoch costs no teacher forward passes); otherwise it runs on every batch.
 * @example
 * const teacher = await teacherLogits(base, train, { cache: true, numClasses: 10 });
 * const t = teacher.of(xs, batch.indices); // ...; teacher.dispose();
 */
export async function teacherLogits(
  teacher: tfl.LayersModel,
  train: ImageDataset | undefined,
  options: { cache: boolean; numClasses: number },
): Promise<TeacherLogits> {
  const classes = resolveHead(teacher).numClasses;
  if (classes !== options.numClasses) {
    throw new OmnipruneError('E_BAD_INPUT', `the teacher ${teacher.name} outputs ${classes} classes, the student ${options.numClasses}`, {
      plugin: 'trainer:sgd',
      hint: 'distil from a model trained on the same classes (distill.teacher: base is the pipeline model)',
    });
  }
  if (!options.cache || !train) {
    return { of: (x) => runTeacher(teacher, x), cached: false, dispose: () => {} };
  }
  const table = tf.tensor2d(await predictLogits(teacher, train, { batchSize: 256 }), [train.count, classes]);
  return {
    of: (x, indices) => (indices ? (tf.gather(table, tf.tensor1d(indices, 'int32')) as tf.Tensor2D) : runTeacher(teacher, x)),
    cached: true,
    dispose: () => table.dispose(),
  };
}
