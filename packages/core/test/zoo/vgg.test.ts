import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { vgg16 } from '../../src/zoo/index.js';
import { countMacs, countParams, layerNames } from './zoo-helpers.js';
import { expectNoLeaks, useCpu } from '../../src/testing/index.js';

beforeAll(useCpu);

describe('vgg16', () => {
  it('has 13 conv-BN-ReLU blocks, 5 poolings and the HRank classifier, named b{i}_*', () => {
    const model = vgg16({ inputShape: [32, 32, 3], classes: 10 });
    const expected = ['input'];
    const pooledAfter = new Set([1, 3, 6, 9, 12]);
    for (let i = 0; i < 13; i++) {
      expected.push(`b${i}_conv`, `b${i}_bn`, `b${i}_relu`);
      if (pooledAfter.has(i)) expected.push(`b${i}_pool`);
    }
    expected.push('flatten', 'fc1', 'fc1_bn', 'fc1_relu', 'logits', 'probs');
    expect(layerNames(model)).toEqual(expected);
    const widths = Array.from({ length: 13 }, (_, i) => model.getLayer(`b${i}_conv`).getConfig().filters);
    expect(widths).toEqual([64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]);
    expect(model.getLayer('b9_pool').getClassName()).toBe('MaxPooling2D');
    expect(model.getLayer('b12_pool').getClassName()).toBe('AveragePooling2D');
    expect(model.getLayer('b12_pool').outputShape).toEqual([null, 1, 1, 512]);
    expect(model.getLayer('fc1').getConfig()).toMatchObject({ units: 512, useBias: false });
    model.dispose();
  });

  it('has 313.46 M MACs and ~14.99 M parameters on 32x32x3 / 10 classes', () => {
    const model = vgg16({ inputShape: [32, 32, 3], classes: 10 });
    const macs = countMacs(model);
    expect(macs.conv).toBe(313_196_544);
    expect(macs.dense).toBe(512 * 512 + 512 * 10);
    expect(macs.total).toBe(313_463_808);
    const params = countParams(model);
    expect(params.trainable).toBe(14_987_210);
    expect(params.total).toBe(14_996_682);
    model.dispose();
  });

  it('predicts [batch, classes] on 32x32x3 and 28x28x1 inputs without leaking tensors', async () => {
    await expectNoLeaks(() => {
      for (const [shape, classes] of [
        [[32, 32, 3], 10],
        [[28, 28, 1], 4],
      ] as const) {
        const model = vgg16({ inputShape: shape, classes, seed: 2 });
        const out = tf.tidy(() => model.predict(tf.randomUniform([2, ...shape], 0, 1, 'float32', 3)) as tf.Tensor);
        expect(out.shape).toEqual([2, classes]);
        out.dispose();
        model.dispose();
      }
    });
  });

  it('without classifier BN, fc1 has a bias and no fc1_bn layer', () => {
    const model = vgg16({ inputShape: [32, 32, 3], classes: 10, classifierBn: false, hiddenUnits: 256 });
    expect(layerNames(model)).not.toContain('fc1_bn');
    expect(model.getLayer('fc1').getConfig()).toMatchObject({ units: 256, useBias: true });
    model.dispose();
  });
});
