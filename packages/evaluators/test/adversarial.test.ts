import { testPluginContext } from '@omniprune/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fgsmAttack, pgdAttack, robustAccuracy } from '../src/adversarial/index.js';
import { expectNoLeaks, mlpClassifier, randomImages, useCpu } from '@omniprune/core/testing';
import { linearSoftmaxModel, normalizeRaw, separableData, tensorData, train } from './helpers/fixtures.js';

const services = testPluginContext().services;

beforeAll(useCpu);

/** FGSM on a linear softmax classifier by hand: `clip(raw + eps * sign(W (p - onehot(y))), 0, 1)`. */
function fgsmClosedForm(
  raw: Float32Array,
  modelInput: Float32Array,
  labels: number[],
  w: Float32Array,
  b: Float32Array,
  classes: number,
  eps: number,
): Float32Array {
  const inputs = w.length / classes;
  const out = new Float32Array(raw.length);
  labels.forEach((label, n) => {
    const z = Array.from({ length: classes }, (_, k) => {
      let s = b[k];
      for (let i = 0; i < inputs; i++) s += modelInput[n * inputs + i] * w[i * classes + k];
      return s;
    });
    const max = Math.max(...z);
    const e = z.map((v) => Math.exp(v - max));
    const p = e.map((v) => v / e.reduce((a, c) => a + c, 0));
    for (let i = 0; i < inputs; i++) {
      let g = 0;
      for (let k = 0; k < classes; k++) g += w[i * classes + k] * (p[k] - (k === label ? 1 : 0));
      out[n * inputs + i] = Math.min(Math.max(raw[n * inputs + i] + eps * Math.sign(g), 0), 1);
    }
  });
  return out;
}

describe('fgsmAttack', () => {
  const shape = [3, 3, 2] as const;
  const classes = 3;
  const labels = [0, 1, 2, 1];
  const model = linearSoftmaxModel(shape, classes, 5);
  const [w, b] = model.getWeights().map((t) => t.dataSync() as Float32Array);
  const raw = randomImages([labels.length, ...shape], 11, [0, 1]);

  it('equals the closed form x + eps * sign(W (p - y)), clipped, on a linear softmax model', async () => {
    const eps = 0.2;
    const x = tf.tensor4d(raw, [labels.length, ...shape]);
    const y = tf.tensor1d(labels, 'int32');
    const got = await tensorData(() => fgsmAttack(tf, services.model.classifier(model), x, y, { epsilon: eps, normalization: null, pixelRange: [0, 1] }));
    tf.dispose([x, y]);
    const expected = fgsmClosedForm(raw, raw, labels, w, b, classes, eps);
    expect(Array.from(got)).toHaveLength(expected.length);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    // the clipping matters in this case: some pixels hit the range bounds
    expect(expected.some((v) => v === 0 || v === 1)).toBe(true);
  });

  it('perturbs raw pixels (not normalised inputs) and returns normalised images', async () => {
    const eps = 0.1;
    const normalization = { mean: [0.4, 0.6], std: [0.2, 0.3] };
    const input = normalizeRaw(raw, normalization, 2);
    const x = tf.tensor4d(input, [labels.length, ...shape]);
    const y = tf.tensor1d(labels, 'int32');
    const adv = await tensorData(() => fgsmAttack(tf, services.model.classifier(model), x, y, { epsilon: eps, normalization, pixelRange: [0, 1] }));
    const advRaw = Array.from(adv, (v, i) => v * normalization.std[i % 2] + normalization.mean[i % 2]);
    tf.dispose([x, y]);
    const expected = fgsmClosedForm(raw, input, labels, w, b, classes, eps);
    advRaw.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });
});

describe('pgdAttack', () => {
  const shape = [4, 4, 3] as const;
  const normalization = { mean: [0.45, 0.5, 0.55], std: [0.2, 0.25, 0.3] };
  const raw = randomImages([6, ...shape], 3, [0, 1]);
  const labels = [0, 1, 2, 0, 1, 2];

  it('stays within the epsilon ball in raw pixels and within the pixel range; uses the budget', async () => {
    const model = mlpClassifier({ shape: shape, classes: 3, hidden: 8, seed: 4 });
    const eps = 0.05;
    const x = tf.tensor4d(normalizeRaw(raw, normalization, 3), [6, ...shape]);
    const y = tf.tensor1d(labels, 'int32');
    const classifier = services.model.classifier(model);
    for (const attack of ['fgsm', 'pgd'] as const) {
      const options = { epsilon: eps, normalization, pixelRange: [0, 1] as const, steps: 5, seed: 2 };
      const adv = await tensorData(() => (attack === 'fgsm' ? fgsmAttack : pgdAttack)(tf, classifier, x, y, options));
      const advRaw = Array.from(adv, (v, i) => v * normalization.std[i % 3] + normalization.mean[i % 3]);
      const delta = advRaw.map((v, i) => Math.abs(v - raw[i]));
      expect(Math.max(...delta), attack).toBeLessThanOrEqual(eps + 1e-5);
      expect(Math.max(...delta), `${attack} uses the budget`).toBeGreaterThan(0.9 * eps);
      expect(Math.min(...advRaw), attack).toBeGreaterThanOrEqual(-1e-5);
      expect(Math.max(...advRaw), attack).toBeLessThanOrEqual(1 + 1e-5);
    }
    tf.dispose([x, y]);
  });

  it('is deterministic for a seed', async () => {
    const model = mlpClassifier({ shape: shape, classes: 3, hidden: 8, seed: 4 });
    const x = tf.tensor4d(raw, [6, ...shape]);
    const y = tf.tensor1d(labels, 'int32');
    const run = (seed: number): Promise<Float32Array> =>
      tensorData(() => pgdAttack(tf, services.model.classifier(model), x, y, { epsilon: 0.03, normalization: null, pixelRange: [0, 1], steps: 1, seed }));
    expect(await run(1)).toEqual(await run(1));
    expect(await run(1)).not.toEqual(await run(2));
    tf.dispose([x, y]);
  });

  describe('on a small model trained on separable data', () => {
    const data = separableData(3, 20, [4, 4, 1], 9);
    const model = mlpClassifier({ shape: [4, 4, 1], classes: 3, hidden: 16, seed: 2 });
    const epsilons = [0.05, 0.1, 0.15, 0.2];
    const run = (pgd: { steps: number; stepSize?: number; randomStart: boolean }) =>
      expectNoLeaks(() =>
        robustAccuracy(tf, services.model.classifier(model), data, {
          epsilons,
          attacks: ['fgsm', 'pgd'],
          pgd,
          batchSize: 25,
          seed: 1,
          normalization: null,
          pixelRange: [0, 1],
        }),
      );
    beforeAll(() => train(model, data, 60));

    it('PGD without random start and a full first step is never weaker than FGSM, and stronger somewhere', async () => {
      // its first iterate is the FGSM point, and the best iterate per image is kept
      const accuracy = await run({ steps: 10, stepSize: 1, randomStart: false });
      expect(accuracy.clean).toBeGreaterThan(0.9);
      const { fgsm, pgd } = accuracy.attacked as { fgsm: number[]; pgd: number[] };
      expect(fgsm[3]).toBeLessThan(accuracy.clean);
      epsilons.forEach((eps, e) => expect(pgd[e], `eps ${eps}`).toBeLessThanOrEqual(fgsm[e]));
      expect(epsilons.some((_, e) => pgd[e] < fgsm[e])).toBe(true);
    });

    it('default PGD (random start, 10 steps of 2.5/steps) beats FGSM where the attacks bite, accuracy falling with epsilon', async () => {
      const accuracy = await run({ steps: 10, randomStart: true });
      const { fgsm, pgd } = accuracy.attacked as { fgsm: number[]; pgd: number[] };
      for (const e of [2, 3]) expect(pgd[e], `eps ${epsilons[e]}`).toBeLessThanOrEqual(fgsm[e]);
      for (let e = 1; e < epsilons.length; e++) {
        expect(fgsm[e]).toBeLessThanOrEqual(fgsm[e - 1]);
        expect(pgd[e]).toBeLessThanOrEqual(pgd[e - 1]);
      }
      expect(pgd[3]).toBeLessThan(0.5);
    });
  });
});
