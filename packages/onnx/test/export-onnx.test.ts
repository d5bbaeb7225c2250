import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlans, buildZooModel, captureFeatures, createRng, initBackend, type ImageDataset } from '@omniprune/core';
import { FIXTURES, randomizeWeights } from '../../core/test/fixtures/models.js';
import { createOnnxRunner, exportOnnx } from '../src/index.js';
import { perturbNorms } from './onnx-helpers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function dataset(shape: readonly number[], count: number, seed = 3): ImageDataset {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const hwc = (shape.length === 3 ? shape : [1, 1, ...shape]) as [number, number, number];
  return {
    name: 'random',
    shape: hwc,
    numClasses: 2,
    count,
    images: Float32Array.from({ length: count * size }, () => rng.next() * 2 - 1),
    labels: new Int32Array(count),
  };
}

/** Max relative difference between onnxruntime and TF.js outputs of `model` on random inputs. */
async function maxRelativeError(model: tfl.LayersModel, extraOutputs: string[] = []): Promise<number> {
  const shape = model.inputs[0].shape.slice(1) as number[];
  const ds = dataset(shape, 5);
  const runner = await createOnnxRunner(model, { extraOutputs });
  const onnx = await runner.run(ds);
  await runner.dispose();
  let worst = 0;
  for (const name of [model.outputs[0].sourceLayer.name, ...extraOutputs]) {
    const expected =
      name === model.outputs[0].sourceLayer.name
        ? tf.tidy(() => (model.predict(tf.tensor(ds.images, [ds.count, ...shape])) as tf.Tensor).dataSync() as Float32Array)
        : (await captureFeatures(model, name, ds)).data;
    const actual = onnx.get(`out:${name}`)!;
    expect(actual.length).toBe(expected.length);
    for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  }
  return worst;
}

describe('ONNX export runs on onnxruntime and equals TF.js', () => {
  it.each(Object.keys(FIXTURES) as (keyof typeof FIXTURES)[])('fixture %s', async (name) => {
    const model = FIXTURES[name]();
    randomizeWeights(model, 7);
    expect(await maxRelativeError(model)).toBeLessThan(1e-4);
  });

  it.each([
    ['resnet20', [16, 16, 3]],
    ['vgg16', [32, 32, 3]],
    ['vit', [28, 28, 1]],
  ] as const)('zoo %s, also after pruning', async (zoo, inputShape) => {
    const model = buildZooModel(zoo, {
      inputShape: [...inputShape],
      classes: 10,
      seed: 2,
      ...(zoo === 'vit' ? { patchSize: 7, dim: 32, depth: 2, numHeads: 4, mlpDim: 48 } : {}),
    });
    perturbNorms(model, 5);
    expect(await maxRelativeError(model, ['logits'])).toBeLessThan(1e-4);
    const plans =
      zoo === 'resnet20'
        ? [
            { kind: 'remove-channels' as const, group: 's2_b1_conv1', indices: [0, 3, 5] },
            { kind: 'remove-block' as const, block: 's3_b2_add' },
          ]
        : zoo === 'vgg16'
          ? [{ kind: 'remove-channels' as const, group: 'b4_conv', indices: [1, 2] }]
          : [
              { kind: 'remove-heads' as const, layer: 't1_attn', heads: [0, 2] },
              { kind: 'remove-channels' as const, group: 't0_mlp_fc1', indices: [4] },
            ];
    const pruned = await applyPlans(model, plans);
    expect(await maxRelativeError(pruned, ['logits'])).toBeLessThan(1e-4);
  });

  it('SeparableConv2D (depthwise Conv with group = in, then a 1x1 Conv) after pruning its filters and inputs', async () => {
    const model = FIXTURES.separable();
    randomizeWeights(model, 9);
    perturbNorms(model, 3);
    const pruned = await applyPlans(model, [
      { kind: 'remove-channels', group: 'sep1', indices: [0, 4] },
      { kind: 'remove-channels', group: 'c1', indices: [2] },
    ]);
    expect(pruned.getLayer('sep1').weights.map((w) => w.shape)).toEqual([[3, 3, 5, 1], [1, 1, 5, 3], [3]]);
    expect(await maxRelativeError(pruned, ['sep1', 'sep2'])).toBeLessThan(1e-4);
  });

  it('captures activations at any layer, equal to TF.js capture', async () => {
    const model = buildZooModel('resnet20', { inputShape: [16, 16, 3], classes: 10, seed: 4 });
    perturbNorms(model, 9);
    expect(await maxRelativeError(model, ['s1_b1_out', 's2_b0_conv1', 'gap'])).toBeLessThan(1e-4);
  });

  it('names the layer class it cannot export', () => {
    const input = tfl.input({ shape: [4, 4, 2] });
    const up = tfl.layers.upSampling2d({ name: 'up', size: [2, 2] }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: tfl.layers.flatten({ name: 'flat' }).apply(up) as tfl.SymbolicTensor });
    expect(() => exportOnnx(model)).toThrow(/cannot export layer "up" \(UpSampling2D\) to ONNX/);
    expect(() => exportOnnx(model, { extraOutputs: ['nope'] })).toThrow(/UpSampling2D|no layer "nope"/);
  });
});
