import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSgd } from '../../src/train/sgd.js';
import { createSgdTrainer } from '../../src/train/sgd-trainer.js';
import { expectNoLeaks, useCpu } from '../../src/testing/index.js';
import { singleImage, weightValues } from './fixtures.js';

beforeAll(useCpu);

/** Reference PyTorch SGD on one scalar parameter. */
function referenceSgd(p: number, grads: number[], lr: number, mu: number, nesterov: boolean, wd = 0): number {
  let v = 0;
  for (const g0 of grads) {
    const g = g0 + wd * p;
    v = mu * v + g;
    p -= lr * (nesterov ? g + mu * v : v);
  }
  return p;
}

describe('createSgd on a 1-parameter model', () => {
  const grads = [0.5, -0.2, 0.3];
  for (const nesterov of [true, false]) {
    for (const wd of [0, 0.1]) {
      it(`matches the hand-computed steps (nesterov ${nesterov}, weightDecay ${wd})`, async () => {
        await expectNoLeaks(async () => {
          const p = tf.tidy(() => tf.variable(tf.scalar(1)));
          const sgd = createSgd([{ variable: p, decay: true, write: (v) => p.assign(v as tf.Scalar) }], { momentum: 0.9, nesterov, weightDecay: wd });
          for (const g of grads) tf.tidy(() => sgd.step({ [p.name]: tf.scalar(g) }, 0.1));
          expect(p.dataSync()[0]).toBeCloseTo(referenceSgd(1, grads, 0.1, 0.9, nesterov, wd), 6);
          sgd.dispose();
          p.dispose();
        });
      });
    }
  }

  it('first Nesterov step is p - lr * (1 + mu) * g and plain SGD ignores the buffer', () => {
    const p = tf.tidy(() => tf.variable(tf.scalar(2)));
    const sgd = createSgd([{ variable: p, decay: false, write: (v) => p.assign(v as tf.Scalar) }], { momentum: 0.9, nesterov: true, weightDecay: 0.5 });
    tf.tidy(() => sgd.step({ [p.name]: tf.scalar(1) }, 0.1));
    expect(p.dataSync()[0]).toBeCloseTo(2 - 0.1 * 1.9, 6); // decay: false -> no weight decay
    sgd.dispose();
    p.dispose();
  });
});

describe('SGD trainer on a 2-logit linear model', () => {
  /** input [1] -> dense(2, no bias, zeros) `logits` -> softmax: logits = [a, b], one trainable 1x2 kernel. */
  function linear(): tfl.LayersModel {
    const input = tfl.input({ shape: [1, 1, 1] });
    const flat = tfl.layers.flatten().apply(input) as tfl.SymbolicTensor;
    const logits = tfl.layers.dense({ units: 2, useBias: false, kernelInitializer: 'zeros', name: 'logits' }).apply(flat) as tfl.SymbolicTensor;
    return tfl.model({ inputs: input, outputs: tfl.layers.activation({ activation: 'softmax', name: 'probs' }).apply(logits) as tfl.SymbolicTensor });
  }

  for (const nesterov of [true, false]) {
    it(`two steps equal the hand computation (nesterov ${nesterov})`, async () => {
      const lr = 0.5;
      const mu = 0.9;
      // Hand computation: x = 1, label 0, loss = -log softmax(a, b)_0, dL/da = p0 - 1, dL/db = 1 - p0.
      let a = 0;
      let b = 0;
      let va = 0;
      let vb = 0;
      const losses: number[] = [];
      for (let step = 0; step < 2; step++) {
        const p0 = Math.exp(a) / (Math.exp(a) + Math.exp(b));
        losses.push(-Math.log(p0));
        const ga = p0 - 1;
        const gb = 1 - p0;
        va = mu * va + ga;
        vb = mu * vb + gb;
        a -= lr * (nesterov ? ga + mu * va : va);
        b -= lr * (nesterov ? gb + mu * vb : vb);
      }
      const model = linear();
      const trainer = createSgdTrainer({ epochs: 2, batchSize: 1, lr, momentum: mu, nesterov });
      const seen: number[] = [];
      await trainer.fit(model, singleImage(1, 0, 2), { onEvent: (e) => e.type === 'batch-end' && seen.push(e.loss) });
      const [kernel] = weightValues(model);
      expect(kernel[0]).toBeCloseTo(a, 5);
      expect(kernel[1]).toBeCloseTo(b, 5);
      expect(seen[0]).toBeCloseTo(Math.LN2, 6);
      expect(seen[1]).toBeCloseTo(losses[1], 5);
    });
  }
});
