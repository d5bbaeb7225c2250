import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlans } from '@omniprune/core/graph';
import { buildZooModel } from '@omniprune/core/zoo';
import { captureFeatures } from '@omniprune/core/prune';
import type { ImageDataset } from '@omniprune/core/data';
import { TINY_MODELS, expectClose, randomizeWeights, syntheticDataset, useWasm } from '@omniprune/core/testing';
import { createOnnxRunner, exportOnnx } from '../src/index.js';
import { perturbNorms } from './onnx-helpers.js';

beforeAll(useWasm);

/** `count` random inputs of `shape` (a feature vector is stored as `[1, 1, n]` images), all labelled 0. */
function dataset(shape: readonly number[], count: number, seed = 3): ImageDataset {
  const hwc = (shape.length === 3 ? shape : [1, 1, ...shape]) as [number, number, number];
  return syntheticDataset({ count, shape: hwc, classes: 2, seed, label: () => 0, name: 'random' });
}

/** Assert onnxruntime's outputs of `model` (the model's output and `extraOutputs`) equal TF.js's on random inputs, to 1e-4. */
async function expectOnnxEqualsTfjs(model: tfl.LayersModel, extraOutputs: string[] = []): Promise<void> {
  const shape = model.inputs[0].shape.slice(1) as number[];
  const ds = dataset(shape, 5);
  const runner = await createOnnxRunner(model, { extraOutputs });
  const onnx = await runner.run(ds);
  await runner.dispose();
  for (const name of [model.outputs[0].sourceLayer.name, ...extraOutputs]) {
    const expected =
      name === model.outputs[0].sourceLayer.name
        ? tf.tidy(() => (model.predict(tf.tensor(ds.images, [ds.count, ...shape])) as tf.Tensor).dataSync() as Float32Array)
        : (await captureFeatures(model, name, ds)).data;
    expectClose(onnx.get(`out:${name}`)!, expected, 1e-4);
  }
}

describe('ONNX export runs on onnxruntime and equals TF.js', () => {
  it.each(Object.keys(TINY_MODELS) as (keyof typeof TINY_MODELS)[])('fixture %s', async (name) => {
    const model = TINY_MODELS[name]();
    randomizeWeights(model, 7);
    await expectOnnxEqualsTfjs(model);
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
    await expectOnnxEqualsTfjs(model, ['logits']);
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
    await expectOnnxEqualsTfjs(pruned, ['logits']);
  });

  it('SeparableConv2D (depthwise Conv with group = in, then a 1x1 Conv) after pruning its filters and inputs', async () => {
    const model = TINY_MODELS.separable();
    randomizeWeights(model, 9);
    perturbNorms(model, 3);
    const pruned = await applyPlans(model, [
      { kind: 'remove-channels', group: 'sep1', indices: [0, 4] },
      { kind: 'remove-channels', group: 'c1', indices: [2] },
    ]);
    expect(pruned.getLayer('sep1').weights.map((w) => w.shape)).toEqual([[3, 3, 5, 1], [1, 1, 5, 3], [3]]);
    await expectOnnxEqualsTfjs(pruned, ['sep1', 'sep2']);
  });

  it('captures activations at any layer, equal to TF.js capture', async () => {
    const model = buildZooModel('resnet20', { inputShape: [16, 16, 3], classes: 10, seed: 4 });
    perturbNorms(model, 9);
    await expectOnnxEqualsTfjs(model, ['s1_b1_out', 's2_b0_conv1', 'gap']);
  });

  it('names the layer class it cannot export', () => {
    const input = tfl.input({ shape: [4, 4, 2] });
    const up = tfl.layers.upSampling2d({ name: 'up', size: [2, 2] }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: tfl.layers.flatten({ name: 'flat' }).apply(up) as tfl.SymbolicTensor });
    expect(() => exportOnnx(model)).toThrow(/cannot export layer "up" \(UpSampling2D\) to ONNX/);
    expect(() => exportOnnx(model, { extraOutputs: ['nope'] })).toThrow(/UpSampling2D|no layer "nope"/);
  });
});
