import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageDataset } from '../../src/data/types.js';
import { softmaxCrossEntropy } from '../../src/train/forward.js';
import { createSgdTrainer } from '../../src/train/sgd-trainer.js';
import { mlpClassifier, useCpu } from '../../src/testing/index.js';
import { prototypeDataset, setWeightValues, singleImage, weightValues } from './fixtures.js';

beforeAll(useCpu);

/** -sum_k t_k log softmax(z)_k with t = (1 - s) onehot + s / K, by hand. */
function smoothedLoss(z: number[], label: number, s: number): number {
  const max = Math.max(...z);
  const logSum = max + Math.log(z.reduce((acc, v) => acc + Math.exp(v - max), 0));
  return -z.reduce((acc, v, k) => acc + ((k === label ? 1 - s : 0) + s / z.length) * (v - logSum), 0);
}

/** input [1] -> dense(3, no bias) whose kernel is `row`; either `logits` + softmax `probs`, or one softmax dense. */
function fixedLinear(row: number[], withLogits: boolean): tfl.LayersModel {
  const input = tfl.input({ shape: [1, 1, 1] });
  const flat = tfl.layers.flatten().apply(input) as tfl.SymbolicTensor;
  const dense = tfl.layers.dense({ units: 3, useBias: false, name: withLogits ? 'logits' : 'out', activation: withLogits ? 'linear' : 'softmax' });
  let out = dense.apply(flat) as tfl.SymbolicTensor;
  if (withLogits) out = tfl.layers.activation({ activation: 'softmax', name: 'probs' }).apply(out) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  tf.tidy(() => dense.setWeights([tf.tensor2d([row])]));
  return model;
}

describe('softmax cross-entropy with label smoothing', () => {
  it('matches a hand computation from logits and from probabilities', () => {
    const z = [2, 1, 0];
    const expected = smoothedLoss(z, 0, 0.1);
    expect(expected).toBeCloseTo(0.5076, 3); // 0.9333*0.4076 + 0.0333*1.4076 + 0.0333*2.4076
    const [fromLogits, fromProbs, plain] = tf.tidy(() => {
      const logits = tf.tensor2d([z]);
      const labels = tf.tensor1d([0], 'int32');
      return [
        softmaxCrossEntropy(logits, labels, { fromLogits: true, labelSmoothing: 0.1 }).dataSync()[0],
        softmaxCrossEntropy(tf.softmax(logits), labels, { fromLogits: false, labelSmoothing: 0.1 }).dataSync()[0],
        softmaxCrossEntropy(logits, labels, { fromLogits: true }).dataSync()[0],
      ];
    });
    expect(fromLogits).toBeCloseTo(expected, 5);
    expect(fromProbs).toBeCloseTo(expected, 5);
    expect(plain).toBeCloseTo(smoothedLoss(z, 0, 0), 5);
  });

  for (const withLogits of [true, false]) {
    it(`is the first-step training loss (${withLogits ? 'logits layer' : 'probabilities fallback'})`, async () => {
      const model = fixedLinear([2, 1, 0], withLogits);
      const losses: number[] = [];
      await createSgdTrainer({ epochs: 1, batchSize: 1, labelSmoothing: 0.2 }).fit(model, singleImage(1, 1, 3), {
        onEvent: (e) => e.type === 'batch-end' && losses.push(e.loss),
      });
      expect(losses[0]).toBeCloseTo(smoothedLoss([2, 1, 0], 1, 0.2), 5);
    });
  }
});

describe('regularisation', () => {
  const data: ImageDataset = prototypeDataset(32, 11);
  const oneStep = { epochs: 1, batchSize: 32, lr: 0.1, momentum: 0, shuffle: false } as const;

  /** Run one full-batch step on `model` (weights first set to `initial`); returns the new weights and the loss. */
  async function step(model: tfl.LayersModel, initial: Float32Array[], weightDecay = 0): Promise<{ weights: Float32Array[]; loss: number }> {
    setWeightValues(model, initial);
    let loss = NaN;
    await createSgdTrainer({ ...oneStep, weightDecay }).fit(model, data, {
      onEvent: (e) => {
        if (e.type === 'batch-end') loss = e.loss;
      },
    });
    return { weights: weightValues(model), loss };
  }

  it('includes the gradient and loss of a model L2 kernel regulariser, and weightDecay on kernels only', async () => {
    const initial = weightValues(mlpClassifier());
    const plain = await step(mlpClassifier(), initial);
    const l2 = 0.05;
    const regularised = await step(mlpClassifier({ kernelL2: l2 }), initial);
    const decayed = await step(mlpClassifier(), initial, 0.2);
    // Weights: [dense kernel, dense bias, logits kernel, logits bias].
    const kernels = [0, 2];
    let penalty = 0;
    for (const i of kernels) {
      for (let j = 0; j < initial[i].length; j++) {
        const w = initial[i][j];
        penalty += l2 * w * w;
        // Keras l2(λ) adds λ‖W‖², gradient 2λW; weightDecay wd adds wd·W to the gradient.
        expect(regularised.weights[i][j] - plain.weights[i][j]).toBeCloseTo(-0.1 * 2 * l2 * w, 5);
        expect(decayed.weights[i][j] - plain.weights[i][j]).toBeCloseTo(-0.1 * 0.2 * w, 5);
      }
    }
    for (const bias of [1, 3]) {
      expect(Array.from(regularised.weights[bias])).toEqual(Array.from(plain.weights[bias]));
      expect(Array.from(decayed.weights[bias])).toEqual(Array.from(plain.weights[bias]));
    }
    expect(regularised.loss - plain.loss).toBeCloseTo(penalty, 4);
    expect(decayed.loss).toBeCloseTo(plain.loss, 6); // weight decay acts on gradients only
  });

  /** The same MLP as a Sequential model, and nested as a layer of a functional model. */
  function sequential(l2?: number): tfl.Sequential {
    const kernelRegularizer = l2 === undefined ? undefined : tfl.regularizers.l2({ l2 });
    return tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [4, 4, 1] }),
        tfl.layers.dense({ units: 16, activation: 'relu', kernelRegularizer }),
        tfl.layers.dense({ units: 3, name: 'logits', kernelRegularizer }),
        tfl.layers.activation({ activation: 'softmax', name: 'probs' }),
      ],
    });
  }
  function nested(l2?: number): tfl.LayersModel {
    const input = tfl.input({ shape: [4, 4, 1] });
    return tfl.model({ inputs: input, outputs: sequential(l2).apply(input) as tfl.SymbolicTensor });
  }

  for (const [name, build] of [
    ['Sequential', sequential],
    ['nested', nested],
  ] as const) {
    it(`finds the regulariser losses of a ${name} model`, async () => {
      const initial = weightValues(build());
      const plain = await step(build(), initial);
      const regularised = await step(build(0.05), initial);
      for (const i of [0, 2]) {
        for (let j = 0; j < initial[i].length; j++) {
          expect(regularised.weights[i][j] - plain.weights[i][j]).toBeCloseTo(-0.1 * 2 * 0.05 * initial[i][j], 5);
        }
      }
    });
  }
});
