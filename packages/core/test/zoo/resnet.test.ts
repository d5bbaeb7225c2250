import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { isOmnipruneError } from '../../src/errors/omniprune-error.js';
import { resnet } from '../../src/zoo/index.js';
import { countMacs, countParams, layerNames } from './zoo-helpers.js';
import { expectNoLeaks, useCpu } from '../../src/testing/index.js';

beforeAll(useCpu);

const cifar = (depth: number, extra: { weightDecay?: number; seed?: number } = {}) => resnet({ depth, inputShape: [32, 32, 3], classes: 10, ...extra });

describe('resnet', () => {
  it('names every layer of ResNet-20 with the zoo scheme, in order', () => {
    const model = cifar(20);
    const block = (p: string, proj: boolean) => [
      `${p}_conv1`,
      `${p}_bn1`,
      `${p}_relu1`,
      `${p}_conv2`,
      `${p}_bn2`,
      ...(proj ? [`${p}_proj_conv`, `${p}_proj_bn`] : []),
      `${p}_add`,
      `${p}_out`,
    ];
    const expected = ['input', 'stem_conv', 'stem_bn', 'stem_relu'];
    for (const s of [1, 2, 3]) for (const b of [0, 1, 2]) expected.push(...block(`s${s}_b${b}`, s > 1 && b === 0));
    expected.push('gap', 'logits', 'probs');
    expect([...layerNames(model)].sort()).toEqual([...expected].sort());
    expect(model.name).toBe('resnet20');
    expect(model.outputs[0].sourceLayer.name).toBe('probs');
    expect(model.getLayer('logits').getConfig().activation).toBe('linear');
    expect(model.getLayer('probs').getConfig().activation).toBe('softmax');
    model.dispose();
  });

  it.each([
    [20, 3],
    [32, 5],
    [44, 7],
    [56, 9],
    [110, 18],
  ])('ResNet-%i has 3 stages of %i blocks and 2 projections', (depth, n) => {
    const model = cifar(depth);
    const names = layerNames(model);
    for (const s of [1, 2, 3]) {
      expect(names.filter((l) => l.startsWith(`s${s}_`) && l.endsWith('_add'))).toHaveLength(n);
    }
    expect(names.filter((l) => l.endsWith('_proj_conv'))).toEqual(['s2_b0_proj_conv', 's3_b0_proj_conv']);
    expect(model.getLayer('s2_b0_proj_conv').getConfig()).toMatchObject({ kernelSize: [1, 1], strides: [2, 2], useBias: false, filters: 32 });
    expect(model.getLayer('s3_b0_conv1').getConfig()).toMatchObject({ kernelSize: [3, 3], strides: [2, 2], filters: 64 });
    expect(model.getLayer(`s3_b${n - 1}_out`).outputShape).toEqual([null, 8, 8, 64]);
    model.dispose();
  });

  it('ResNet-56 has 125.75 M MACs (incl. 1x1 projections) and ~0.85 M parameters', () => {
    const model = cifar(56);
    const macs = countMacs(model);
    expect(Math.abs(macs.total / 125.75e6 - 1)).toBeLessThan(0.005);
    expect(macs.total).toBe(125_747_840);
    expect(macs.total - 2 * (16 * 16 * 16 * 32)).toBeCloseTo(125.49e6, -5); // HRank's count, without projections
    const params = countParams(model);
    expect(params.trainable).toBe(855_770);
    expect(params.total).toBe(860_026); // + BN moving statistics
    expect(model.countParams()).toBe(params.total);
    model.dispose();
  });

  it('ResNet-110 has 253.15 M MACs and ~1.7 M parameters', () => {
    const model = cifar(110);
    const macs = countMacs(model);
    expect(Math.abs(macs.total / 253.15e6 - 1)).toBeLessThan(0.005);
    expect(macs.total).toBe(253_149_824);
    const params = countParams(model);
    expect(params.trainable).toBe(1_730_714);
    expect(params.total).toBe(1_739_002);
    model.dispose();
  });

  it('predicts class probabilities of shape [batch, classes] for CIFAR and Fashion-MNIST shapes', async () => {
    await expectNoLeaks(() => {
      const model = cifar(20, { seed: 1 });
      const probs = tf.tidy(() => model.predict(tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 1)) as tf.Tensor);
      expect(probs.shape).toEqual([2, 10]);
      const sums = tf.tidy(() => tf.sum(probs, 1).arraySync() as number[]);
      for (const s of sums) expect(s).toBeCloseTo(1, 5);
      probs.dispose();
      model.dispose();
      const small = resnet({ depth: 20, inputShape: [28, 28, 1], classes: 7 });
      const out = tf.tidy(() => small.predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor);
      expect(out.shape).toEqual([3, 7]);
      out.dispose();
      small.dispose();
    });
  });

  it('uses bias-free convs and an L2 1e-4 kernel regulariser by default, none with weightDecay 0', () => {
    const model = cifar(20);
    for (const layer of model.layers) {
      const cls = layer.getClassName();
      if (cls === 'Conv2D') expect(layer.getConfig().useBias).toBe(false);
      if (cls === 'Conv2D' || cls === 'Dense') {
        expect(layer.getConfig().kernelRegularizer).toEqual({ className: 'L1L2', config: { l1: 0, l2: 1e-4 } });
      }
    }
    model.dispose();
    const plain = cifar(20, { weightDecay: 0 });
    for (const layer of plain.layers) expect(layer.getConfig().kernelRegularizer ?? null).toBeNull();
    plain.dispose();
    const strong = cifar(20, { weightDecay: 5e-4 });
    expect(strong.getLayer('logits').getConfig().kernelRegularizer).toEqual({ className: 'L1L2', config: { l1: 0, l2: 5e-4 } });
    strong.dispose();
  });

  it('gives the same weights for the same seed, different ones for another seed', () => {
    const values = (depth: number, seed: number, layer: string) => {
      const model = cifar(depth, { seed });
      const v = Array.from(model.getLayer(layer).getWeights()[0].dataSync());
      model.dispose();
      return v;
    };
    expect(values(20, 7, 's2_b1_conv2')).toEqual(values(20, 7, 's2_b1_conv2'));
    expect(values(20, 7, 's2_b1_conv2')).not.toEqual(values(20, 8, 's2_b1_conv2'));
    // a layer's initial weights depend on (seed, name) only, not on the depth
    expect(values(20, 7, 's1_b0_conv1')).toEqual(values(32, 7, 's1_b0_conv1'));
    expect(values(20, 7, 's1_b0_conv1')).not.toEqual(values(20, 7, 's1_b1_conv1'));
  });

  it('rejects depths that are not 6n+2 and bad shapes with E_BAD_INPUT', () => {
    for (const depth of [18, 2, 21.5]) {
      expect(() => cifar(depth)).toThrow(/depth must be|positive integer/);
      try {
        cifar(depth);
      } catch (e) {
        expect(isOmnipruneError(e, 'E_BAD_INPUT')).toBe(true);
      }
    }
    expect(() => resnet({ depth: 20, inputShape: [32, 32], classes: 10 })).toThrow(/inputShape must be 3 positive integers/);
    expect(() => resnet({ depth: 20, inputShape: [32, 32, 3], classes: 0 })).toThrow(/classes must be a positive integer/);
    expect(() => resnet({ depth: 20, inputShape: [32, 32, 3], classes: 10, weightDecay: -1 })).toThrow(/weightDecay/);
  });
});
