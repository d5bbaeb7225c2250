import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { distillationLoss } from '../../src/train/distill.js';
import { createSgdTrainer } from '../../src/train/sgd-trainer.js';
import { sgdTrainerPlugin } from '../../src/train/sgd-trainer-plugin.js';
import { convBnClassifier, expectNoLeaks, mlpClassifier, useCpu } from '../../src/testing/index.js';
import { prototypeDataset, weightValues } from './fixtures.js';

beforeAll(useCpu);

// Hand-computed reference in float64: softmax, KL and cross-entropy written out.
function softmax(z: number[], t = 1): number[] {
  const m = Math.max(...z.map((v) => v / t));
  const e = z.map((v) => Math.exp(v / t - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function reference(student: number[], teacher: number[], label: number, alpha: number, t: number): { loss: number; grad: number[] } {
  const ps = softmax(student, t);
  const pt = softmax(teacher, t);
  const kl = pt.reduce((sum, p, k) => sum + p * (Math.log(p) - Math.log(ps[k])), 0);
  const p1 = softmax(student);
  const ce = -Math.log(p1[label]);
  // d/ds_k: alpha * T^2 * (1/T) * (ps_k - pt_k) + (1 - alpha) * (p1_k - [k == label])
  const grad = student.map((_, k) => alpha * t * (ps[k] - pt[k]) + (1 - alpha) * (p1[k] - (k === label ? 1 : 0)));
  return { loss: alpha * t * t * kl + (1 - alpha) * ce, grad };
}

const STUDENT = [
  [1.5, -0.5, 0.25],
  [0.1, 2.0, -1.0],
];
const TEACHER = [
  [2.0, 0.5, -1.0],
  [-0.3, 1.2, 0.4],
];
const LABELS = [0, 2];

describe('distillationLoss', () => {
  it.each([
    { alpha: 0, temperature: 1 },
    { alpha: 1, temperature: 1 },
    { alpha: 0.9, temperature: 4 },
    { alpha: 0.5, temperature: 2 },
  ])('matches the hand-computed loss and its gradient (alpha $alpha, T $temperature)', ({ alpha, temperature }) => {
    const teacher = tf.tensor2d(TEACHER);
    const labels = tf.tensor1d(LABELS, 'int32');
    const lossOf = (s: tf.Tensor) => tf.sum(distillationLoss(s as tf.Tensor2D, teacher, labels, { alpha, temperature, fromLogits: true })) as tf.Scalar;
    const student = tf.tensor2d(STUDENT);
    const perSample = distillationLoss(student, teacher, labels, { alpha, temperature, fromLogits: true }).arraySync() as number[];
    const grad = tf.grad(lossOf)(student).arraySync() as number[][];
    for (let i = 0; i < 2; i++) {
      const ref = reference(STUDENT[i], TEACHER[i], LABELS[i], alpha, temperature);
      expect(perSample[i]).toBeCloseTo(ref.loss, 5);
      for (let k = 0; k < 3; k++) expect(grad[i][k]).toBeCloseTo(ref.grad[k], 5);
    }
    tf.dispose([teacher, labels, student]);
  });

  it('reads a probability output through its log, like logits', () => {
    const teacher = tf.tensor2d(TEACHER);
    const labels = tf.tensor1d(LABELS, 'int32');
    const logits = tf.tensor2d(STUDENT);
    const probs = tf.softmax(logits) as tf.Tensor2D;
    const options = { alpha: 0.7, temperature: 3 };
    const fromLogits = distillationLoss(logits, teacher, labels, { ...options, fromLogits: true }).arraySync();
    const fromProbs = distillationLoss(probs, teacher, labels, { ...options, fromLogits: false }).arraySync();
    for (let i = 0; i < 2; i++) expect(fromProbs[i]).toBeCloseTo(fromLogits[i], 4);
    tf.dispose([teacher, labels, logits, probs]);
  });
});

describe('a distilled fit', () => {
  const train = prototypeDataset(96, 11);
  type Augment = (x: Float32Array, ctx: { rng: { next(): number } }) => Float32Array;
  const jitter: Augment = (x, ctx) => x.map((v) => v + 0.3 * (ctx.rng.next() - 0.5));
  const identity: Augment = (x) => x;
  const fitWith = async (distill: Record<string, unknown> | undefined, augment: false | Augment = false) => {
    const teacher = mlpClassifier({ seed: 21 });
    const student = convBnClassifier();
    const trainer = createSgdTrainer({ epochs: 2, batchSize: 16, lr: 0.05, seed: 4, distill, ...(augment ? { augment } : {}) });
    await trainer.fit(student, train, { teacher });
    const weights = weightValues(student);
    student.dispose();
    teacher.dispose();
    return weights;
  };

  it('gives the same weights with the teacher cached as with the teacher run on every batch', async () => {
    const cached = await fitWith({ cacheTeacher: true });
    const uncached = await fitWith({ cacheTeacher: false });
    const plain = await fitWith(undefined);
    for (const [w, values] of cached.entries()) for (const [i, v] of values.entries()) expect(v).toBeCloseTo(uncached[w][i], 5);
    expect(cached.some((values, w) => values.some((v, i) => Math.abs(v - plain[w][i]) > 1e-3))).toBe(true);
  });

  it('runs the teacher on the augmented batch (a cache of the clean images is not used)', async () => {
    const cached = await fitWith({ cacheTeacher: true }, jitter);
    const uncached = await fitWith({ cacheTeacher: false }, jitter);
    for (const [w, values] of cached.entries()) for (const [i, v] of values.entries()) expect(v).toBeCloseTo(uncached[w][i], 5);
  });

  it('with teacherInput: clean, targets every augmented copy with the clean image logits', async () => {
    const close = (a: Float32Array[], b: Float32Array[]) => a.every((values, w) => values.every((v, i) => Math.abs(v - b[w][i]) < 1e-5));
    // an augmentation that changes nothing: the clean logits are the augmented batch's
    expect(close(await fitWith({ teacherInput: 'clean' }, identity), await fitWith({ teacherInput: 'augmented' }, identity))).toBe(true);
    // a real one: the targets differ from the teacher's on the jittered batch
    expect(close(await fitWith({ teacherInput: 'clean' }, jitter), await fitWith({ teacherInput: 'augmented' }, jitter))).toBe(false);
  });

  it('with alpha 0 trains exactly as plain cross-entropy', async () => {
    const kd = await fitWith({ alpha: 0 });
    const plain = await fitWith(undefined);
    for (const [w, values] of kd.entries()) for (const [i, v] of values.entries()) expect(v).toBeCloseTo(plain[w][i], 5);
  });

  it('frees the cached teacher outputs and every step tensor', async () => {
    const teacher = mlpClassifier({ seed: 21 });
    const student = convBnClassifier();
    await expectNoLeaks(() =>
      createSgdTrainer({ epochs: 1, batchSize: 32, distill: {} })
        .fit(student, train, { teacher })
        .then(() => undefined),
    );
    student.dispose();
    teacher.dispose();
  });

  it('says what is missing when no teacher is given', async () => {
    const student = convBnClassifier();
    await expect(createSgdTrainer({ epochs: 1, distill: {} }).fit(student, train)).rejects.toThrow(/distill is set but the fit was given no teacher/);
    const factory = await sgdTrainerPlugin.create(sgdTrainerPlugin.options.parse({ distill: { teacher: 'parent' } }), { log: () => {}, seed: 1 } as never);
    expect(() => factory({ seed: 1, teachers: { base: student } })).toThrow(/distill.teacher: parent: this fine-tune has no parent model/);
    student.dispose();
  });
});
