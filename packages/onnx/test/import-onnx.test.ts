import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotationsOf, createPluginContainer, readModel, registerPlugin, saveModel, testPluginContext } from '@omniprune/core';
import type { ModelFormat } from '@omniprune/plugin-api';
import { expectClose, expectNoLeaks, randomImages, useCpu } from '@omniprune/core/testing';
import { decodeModel } from '../src/import/onnx-model.js';
import { importOnnx, onnxFormat } from '../src/index.js';
import { FIXTURE_DIR, fixtureBytes, runOrt, runTfjs } from './onnx-helpers.js';

/** Every PyTorch fixture: ResNet BasicBlock, Bottleneck, MobileNetV2, VGG, SE + HardSwish, concat + pooling; BN folded or kept; opsets 11-17. */
const MODELS = [
  'resnet_basic_folded_op11',
  'resnet_basic_bn_op13',
  'resnet_basic_bn_op17',
  'resnet_basic_folded_op16',
  'resnet_bottleneck_folded_op13',
  'resnet_bottleneck_bn_op11',
  'mobilenetv2_folded_op11',
  'mobilenetv2_bn_op16',
  'vgg_folded_op13',
  'vgg_view_bn_op11',
  'se_hardswish_bn_op11',
  'se_hardswish_folded_op17',
  'concat_pool_op11',
  'concat_pool_op17',
];

const format: ModelFormat = onnxFormat.create({}, testPluginContext({ seed: 0 })) as ModelFormat;
let dir: string;

beforeAll(async () => {
  await useCpu();
  dir = await mkdtemp(join(tmpdir(), 'omniprune-onnx-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('importOnnx: PyTorch exports as TF.js models', () => {
  it.each(MODELS)('%s computes what onnxruntime computes (batch 1 and 3)', async (name) => {
    const bytes = await fixtureBytes(name);
    await expectNoLeaks(async () => {
      const { model, origin } = await importOnnx(bytes, `${name}.onnx`);
      const [, c, h, w] = origin.input!.dims as number[];
      expect(model.inputs[0].shape).toEqual([null, h, w, c]);
      for (const n of [1, 3]) {
        const x = randomImages([n, c, h, w], n + 10);
        const ort = await runOrt(bytes, origin.input!.name, x, [n, c, h, w]);
        expectClose(runTfjs(model, x, [n, c, h, w]), ort.data, 1e-4);
      }
      model.dispose();
    });
  });

  it('records the original interface and says what it changed', async () => {
    const folded = await importOnnx(await fixtureBytes('resnet_basic_folded_op11'), 'r.onnx');
    expect(folded.origin).toEqual({
      format: 'onnx',
      file: 'r.onnx',
      input: { name: 'input', layout: 'NCHW', dtype: 'float32', dims: ['batch', 3, 16, 16] },
      outputs: ['logits'],
      details: { opset: 11, producer: 'pytorch 1.13.0', irVersion: 6 },
    });
    expect(annotationsOf(folded.model).origin).toEqual(folded.origin);
    expect(folded.metadata).toEqual({});
    expect(folded.notes.join('\n')).toMatch(/folded them into the conv weights[\s\S]*TrainingMode.PRESERVE, do_constant_folding=False/);
    expect(folded.notes.join('\n')).toMatch(/ZeroPadding2D/);
    const kept = await importOnnx(await fixtureBytes('vgg_view_bn_op11'));
    expect(kept.notes.join('\n')).not.toMatch(/folded/);
    expect(kept.notes.join('\n')).toMatch(/rows reordered from CHW/);
    expect(kept.origin.input).toEqual({ name: 'images', layout: 'NCHW', dtype: 'float32', dims: ['batch', 1, 28, 28] });
    expect(kept.origin.outputs).toEqual(['scores']);
    const gelu = await importOnnx(await fixtureBytes('concat_pool_op11'));
    expect(gelu.notes.join('\n')).toMatch(/GELU activation\(s\) rebuilt from torch's Erf/);
    const hardswish = await importOnnx(await fixtureBytes('se_hardswish_bn_op11'));
    expect(hardswish.notes.join('\n')).toMatch(/HardSwish activation\(s\) rebuilt/);
    for (const m of [folded, kept, gelu, hardswish]) m.model.dispose();
  });

  it('names layers after the PyTorch modules', async () => {
    const { model } = await importOnnx(await fixtureBytes('resnet_basic_bn_op13'));
    const names = model.layers.map((l) => `${l.name}:${l.getClassName()}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'input:InputLayer',
        'conv1:Conv2D',
        'bn1:BatchNormalization',
        'maxpool_pad:ZeroPadding2D',
        'maxpool:MaxPooling2D',
        'layer1.0.conv1:Conv2D',
        'layer1.0.bn1:BatchNormalization',
        'layer1.0.relu:ReLU',
        'layer1.0:Add',
        'layer1.0.relu_1:ReLU',
        'layer2.0.downsample.0:Conv2D',
        'layer2.0.downsample.1:BatchNormalization',
        'avgpool:GlobalAveragePooling2D',
        'fc:Dense',
      ]),
    );
    expect(new Set(model.layers.map((l) => l.name)).size).toBe(model.layers.length);
    const concat = await importOnnx(await fixtureBytes('concat_pool_op17'));
    expect(concat.model.layers.map((l) => l.name)).toEqual(expect.arrayContaining(['b3.0', 'b3.0_averagepool', 'act', 'concat']));
    model.dispose();
    concat.model.dispose();
  });
});

describe('imported models train', () => {
  it.each(['mobilenetv2_bn_op16', 'se_hardswish_bn_op11', 'concat_pool_op17', 'vgg_view_bn_op11'])(
    '%s: every trainable weight gets a finite gradient',
    async (name) => {
      const { model, origin } = await importOnnx(await fixtureBytes(name));
      const [, c, h, w] = origin.input!.dims as number[];
      const norms = await expectNoLeaks(() =>
        tf.tidy(() => {
          const x = tf.tensor4d(randomImages([4, h, w, c], 7), [4, h, w, c]);
          const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
          const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
          expect(Number.isFinite(value.dataSync()[0])).toBe(true);
          return vars.map((v) => tf.sum(tf.abs(grads[v.name])).dataSync()[0]);
        }),
      );
      expect(norms.length).toBe(model.trainableWeights.length);
      expect(norms.every((g) => Number.isFinite(g))).toBe(true);
      expect(norms.filter((g) => g > 0).length).toBeGreaterThan(norms.length / 2);
      model.dispose();
    },
  );
});

describe('onnxFormat.write: the pruned model with the original interface', () => {
  it.each(MODELS)('%s round trip: same input name, NCHW, symbolic batch, same outputs', async (name) => {
    const bytes = await fixtureBytes(name);
    const { model, origin } = await format.read(`${FIXTURE_DIR}${name}.onnx`);
    const file = join(dir, `${name}.onnx`);
    await format.write!(model, file, origin);
    const [, c, h, w] = origin.input!.dims as number[];
    const written = decodeModel(new Uint8Array(await import('node:fs/promises').then((fs) => fs.readFile(file))));
    expect(written.graph.inputs.map((i) => [i.name, i.elemType, i.dims])).toEqual([[origin.input!.name, 1, ['batch', c, h, w]]]);
    expect(written.graph.outputs.map((o) => o.name)).toEqual(origin.outputs);
    expect(written.graph.nodes[0].opType).not.toBe('Transpose');
    for (const n of [1, 3]) {
      const x = randomImages([n, c, h, w], n + 20);
      const original = await runOrt(bytes, origin.input!.name, x, [n, c, h, w]);
      const exported = await runOrt(file, origin.input!.name, x, [n, c, h, w]);
      expect(exported.inputNames).toEqual(original.inputNames);
      expect(exported.outputNames).toEqual(original.outputNames);
      expect(exported.inputShape).toEqual(['batch', c, h, w]);
      expect(exported.dims).toEqual(original.dims);
      expectClose(exported.data, original.data, 1e-4);
    }
    model.dispose();
  });

  it('keeps the interface through a checkpoint (saveModel / readModel)', async () => {
    const name = 'se_hardswish_bn_op11';
    const { model, origin } = await importOnnx(await fixtureBytes(name), `${name}.onnx`);
    await saveModel(model, join(dir, 'checkpoint'));
    const reloaded = await readModel(join(dir, 'checkpoint'));
    expect(reloaded.origin).toEqual(origin);
    const file = join(dir, 'from-checkpoint.onnx');
    await format.write!(reloaded.model, file, reloaded.origin);
    const x = randomImages([2, 3, 16, 16], 5);
    const [original, written] = [await runOrt(await fixtureBytes(name), 'input', x, [2, 3, 16, 16]), await runOrt(file, 'input', x, [2, 3, 16, 16])];
    expect(written.outputNames).toEqual(['probs']);
    expectClose(written.data, original.data, 1e-4);
    model.dispose();
    reloaded.model.dispose();
  });

  it('is found by readModel through a container holding the format, and reports missing files', async () => {
    const container = createPluginContainer();
    registerPlugin(container, onnxFormat, '@omniprune/onnx');
    const loaded = await readModel(`${FIXTURE_DIR}se_hardswish_folded_op17.onnx`, container);
    expect(loaded.origin.format).toBe('onnx');
    loaded.model.dispose();
    await expect(format.read(join(dir, 'missing.onnx'))).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
  });
});

describe('importOnnx: bad input', () => {
  it('a truncated or garbage file is E_CORRUPT_FILE', async () => {
    const bytes = await fixtureBytes('resnet_basic_bn_op13');
    for (const cut of [10, 200, Math.floor(bytes.length / 2), bytes.length - 3]) {
      await expect(importOnnx(bytes.subarray(0, cut), 'cut.onnx')).rejects.toMatchObject({
        code: 'E_CORRUPT_FILE',
        message: expect.stringMatching(/cut\.onnx is not a valid ONNX model/),
      });
    }
    await expect(importOnnx(new TextEncoder().encode('{"format": "layers-model"}'), 'model.onnx')).rejects.toMatchObject({ code: 'E_CORRUPT_FILE' });
    await expect(importOnnx(new Uint8Array(0))).rejects.toMatchObject({ code: 'E_CORRUPT_FILE' });
  });

  it('an op it cannot import is E_UNSUPPORTED_ONNX_OP naming the op and the node', async () => {
    await expectNoLeaks(async () => {
      await expect(importOnnx(await fixtureBytes('bad_unsupported_op'))).rejects.toMatchObject({
        code: 'E_UNSUPPORTED_ONNX_OP',
        message: expect.stringMatching(
          /node "\/norm\/LpNormalization" \(LpNormalization\): op type LpNormalization is not supported[\s\S]*hint: supported ops: Conv, /,
        ),
      });
      await expect(importOnnx(await fixtureBytes('bad_grouped_conv'))).rejects.toMatchObject({
        code: 'E_UNSUPPORTED_ONNX_OP',
        message: expect.stringMatching(/node "\/conv\/Conv" \(Conv\): grouped convolution \(group=2[\s\S]*hint: TF.js has no grouped convolution/),
      });
    });
  });

  it('a model that is not a single-input image classifier is E_UNSUPPORTED_MODEL', async () => {
    await expect(importOnnx(await fixtureBytes('bad_multi_input'), 'two.onnx')).rejects.toMatchObject({
      code: 'E_UNSUPPORTED_MODEL',
      message: expect.stringMatching(/two\.onnx has 2 inputs \(input, other\)[\s\S]*hint: omniprune imports single-input image classifiers/),
    });
    await expect(importOnnx(await fixtureBytes('bad_non_image'))).rejects.toMatchObject({
      code: 'E_UNSUPPORTED_MODEL',
      message: expect.stringMatching(/input "features" .* has shape \[batch, 16\], not \[batch, C, H, W\]/),
    });
    await expect(importOnnx(await fixtureBytes('bad_external_data'))).rejects.toMatchObject({
      code: 'E_UNSUPPORTED_MODEL',
      message: expect.stringMatching(/tensor "w" is stored outside the \.onnx file[\s\S]*save_as_external_data=False/),
    });
  });
});
