import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildZooModel } from '@omniprune/core/zoo';
import { randomImages, useWasm } from '@omniprune/core/testing';
import { exportOnnx, loadOnnxRuntime } from '../src/index.js';
import { decodeModel } from '../src/import/onnx-model.js';
import { perturbNorms, runOrt } from './onnx-helpers.js';

beforeAll(useWasm);

const opTypes = (bytes: Uint8Array): string[] => decodeModel(bytes).graph.nodes.map((n) => n.opType);

/** Conv -> BN -> ReLU, depthwise -> BN, separable -> BN, dense -> BN, and a BN after an add (not foldable). */
function mixedModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3] });
  const bn = (x: tfl.SymbolicTensor) => tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
  const a = tfl.layers
    .activation({ activation: 'relu' })
    .apply(bn(tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same' }).apply(input) as tfl.SymbolicTensor));
  const d = bn(tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2 }).apply(a as tfl.SymbolicTensor) as tfl.SymbolicTensor);
  const s = bn(
    tfl.layers.separableConv2d({ filters: 12, kernelSize: 3, padding: 'same', useBias: false }).apply(a as tfl.SymbolicTensor) as tfl.SymbolicTensor,
  );
  const sum = bn(tfl.layers.add().apply([d, s]) as tfl.SymbolicTensor);
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(sum) as tfl.SymbolicTensor;
  const dense = bn(tfl.layers.dense({ units: 5 }).apply(pooled) as tfl.SymbolicTensor);
  return tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 3, activation: 'softmax' }).apply(dense) as tfl.SymbolicTensor });
}

describe('exportOnnx({ foldBatchNorm: true })', () => {
  it('folds each batch norm after a conv, depthwise, separable conv or dense layer and equals the unfolded export', async () => {
    const model = mixedModel();
    perturbNorms(model, 4);
    const plain = exportOnnx(model);
    const folded = exportOnnx(model, { foldBatchNorm: true });
    expect(opTypes(plain.bytes).filter((t) => t === 'BatchNormalization')).toHaveLength(5);
    // the norm after the add has no producer to fold into: it stays (as the only one)
    expect(opTypes(folded.bytes).filter((t) => t === 'BatchNormalization')).toHaveLength(1);
    const x = randomImages([4, 8, 8, 3], 9);
    const a = await runOrt(plain.bytes, plain.input, x, [4, 8, 8, 3]);
    const b = await runOrt(folded.bytes, folded.input, x, [4, 8, 8, 3]);
    const expected = tf.tidy(() => (model.predict(tf.tensor(x, [4, 8, 8, 3])) as tf.Tensor).dataSync());
    for (let i = 0; i < a.data.length; i++) {
      expect(Math.abs(b.data[i] - a.data[i])).toBeLessThan(1e-4);
      expect(Math.abs(b.data[i] - expected[i])).toBeLessThan(1e-4);
    }
  });

  it('leaves a zoo ResNet as Conv(+bias), Relu and Add nodes that onnxruntime fuses: nothing unfused in the optimized graph', async () => {
    const model = buildZooModel('resnet20', { inputShape: [16, 16, 3], classes: 10, seed: 2 });
    perturbNorms(model, 6);
    const folded = exportOnnx(model, { foldBatchNorm: true, layout: 'NCHW' });
    const ops = opTypes(folded.bytes);
    expect(ops).not.toContain('BatchNormalization');
    expect(ops.filter((t) => t === 'Transpose')).toHaveLength(0); // NCHW input: no layout transposes anywhere
    const ort = await loadOnnxRuntime();
    if (ort instanceof Error) throw ort;
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-fold-'));
    const optimized = join(dir, 'optimized.onnx');
    const session = await ort.InferenceSession.create(folded.bytes, { graphOptimizationLevel: 'all', optimizedModelFilePath: optimized });
    await session.release();
    const after = opTypes(new Uint8Array(await readFile(optimized)));
    expect(after).not.toContain('BatchNormalization');
    // every ReLU and residual add fused into a conv (onnxruntime's NCHWc convs take the activation and the sum)
    for (const op of ['BatchNormalization', 'Relu', 'Add', 'Mul', 'Transpose']) expect(after, op).not.toContain(op);
    expect(after.filter((t) => t === 'Conv')).toHaveLength(ops.filter((t) => t === 'Conv').length);
  });
});
