import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlans } from '../../src/graph/apply-plan.js';
import { annotateModel, annotationsOf } from '../../src/io/model-annotations.js';
import { loadModel, saveModel } from '../../src/io/model-io.js';
import { separateOutputSoftmax } from '../../src/io/separate-softmax.js';
import { classifierOutput } from '../../src/train/classifier-output.js';
import { evaluateClassifier, predictLogits } from '../../src/train/forward.js';
import { createSgdTrainer } from '../../src/train/sgd-trainer.js';
import { mlpClassifier, useCpu } from '../../src/testing/index.js';
import { prototypeDataset, setWeightValues, weightValues } from './fixtures.js';

beforeAll(useCpu);

type S = tfl.SymbolicTensor;
const glorot = (seed: number) => tfl.initializers.glorotUniform({ seed });

/** A Keras-style functional model with default names whose last Dense has the given activation. */
function kerasStyle(activation: string, options: { separateSoftmax?: boolean } = {}): tfl.LayersModel {
  const input = tfl.input({ shape: [4, 4, 1], name: 'input_1' });
  let x = tfl.layers.flatten({ name: 'flatten' }).apply(input) as S;
  x = tfl.layers.dense({ units: 16, activation: 'relu', name: 'dense', kernelInitializer: glorot(3) }).apply(x) as S;
  x = tfl.layers
    .dense({ units: 3, name: 'dense_1', activation: options.separateSoftmax ? 'linear' : (activation as never), kernelInitializer: glorot(4) })
    .apply(x) as S;
  if (options.separateSoftmax) x = tfl.layers.activation({ activation: 'softmax', name: 'activation' }).apply(x) as S;
  return tfl.model({ inputs: input, outputs: x, name: 'functional_1' });
}

describe('classifierOutput', () => {
  it('reads the zoo head (softmax after a linear logits layer) as probabilities with logits at its input', () => {
    const decision = classifierOutput(mlpClassifier());
    expect(decision).toMatchObject({ logitsLayer: 'logits', output: 'probabilities' });
    expect(decision.reason).toMatch(/softmax/);
  });

  it('reads a linear last Dense with a default Keras name as logits (from_logits=True models)', () => {
    expect(classifierOutput(kerasStyle('linear'))).toMatchObject({ logitsLayer: 'dense_1', output: 'logits' });
  });

  it('reads a fused Dense(softmax) as probabilities until the softmax is separated, then finds the logits', async () => {
    const fused = kerasStyle('softmax');
    expect(classifierOutput(fused)).toMatchObject({ logitsLayer: null, output: 'probabilities' });
    const x = tf.randomNormal([5, 4, 4, 1], 0, 1, 'float32', 7);
    const before = (fused.predict(x) as tf.Tensor).arraySync();
    const { model, note } = await separateOutputSoftmax(fused);
    expect(note).toMatch(/dense_1.*dense_1_softmax/);
    expect(classifierOutput(model)).toMatchObject({ logitsLayer: 'dense_1', output: 'probabilities' });
    const after = model.predict(x) as tf.Tensor;
    expect(after.arraySync()).toEqual(before);
    expect(model.outputLayers[0].name).toBe('dense_1_softmax');
    model.dispose();
  });

  it('reads a log-softmax output (PyTorch NLLLoss models) as logits', () => {
    const input = tfl.input({ shape: [4, 4, 1] });
    let x = tfl.layers.flatten().apply(input) as S;
    x = tfl.layers.dense({ units: 3, name: 'fc' }).apply(x) as S;
    x = tfl.layers.activation({ activation: 'logSoftmax' as 'softmax', name: 'log_probs' }).apply(x) as S;
    expect(classifierOutput(tfl.model({ inputs: input, outputs: x }))).toMatchObject({ logitsLayer: 'log_probs', output: 'logits' });
  });

  it('refuses a sigmoid output with an error that says how to override, and follows the override', () => {
    const model = kerasStyle('sigmoid');
    expect(() => classifierOutput(model)).toThrow(/dense_1.*activation sigmoid[\s\S]*output: logits \| probabilities/);
    try {
      classifierOutput(model);
    } catch (err) {
      expect((err as { code: string }).code).toBe('E_UNSUPPORTED_MODEL');
    }
    expect(classifierOutput(model, { output: 'probabilities' })).toMatchObject({ logitsLayer: null, output: 'probabilities' });
    annotateModel(model, { classifier: { logitsLayer: 'dense' } });
    expect(classifierOutput(model)).toMatchObject({ logitsLayer: 'dense' });
  });

  it('names a missing logits layer and a non-classifier output', () => {
    expect(() => classifierOutput(mlpClassifier(), { logitsLayer: 'fc9' })).toThrow(/no layer "fc9"/);
    const input = tfl.input({ shape: [4, 4, 1] });
    const conv = tfl.layers.conv2d({ filters: 2, kernelSize: 1, name: 'seg' }).apply(input) as S;
    expect(() => classifierOutput(tfl.model({ inputs: input, outputs: conv }))).toThrow(/\[batch, classes\]/);
  });
});

describe('one head everywhere', () => {
  const train = prototypeDataset(256, 31);
  const test = prototypeDataset(128, 32);

  it('a linear-output model and the same model with a softmax train to the same weights for the same seed', async () => {
    const linear = kerasStyle('linear');
    const softmax = kerasStyle('linear', { separateSoftmax: true });
    setWeightValues(softmax, weightValues(linear));
    const fit = (m: tfl.LayersModel) => createSgdTrainer({ epochs: 2, batchSize: 32, lr: 0.05, seed: 4 }).fit(m, train);
    await fit(linear);
    await fit(softmax);
    const a = weightValues(linear);
    const b = weightValues(softmax);
    expect(a.length).toBe(b.length);
    for (const [i, w] of a.entries()) for (let j = 0; j < w.length; j++) expect(w[j]).toBeCloseTo(b[i][j], 5);
    const evalA = await evaluateClassifier(linear, test);
    const evalB = await evaluateClassifier(softmax, test);
    expect(evalA.loss).toBeCloseTo(evalB.loss, 5);
    expect(evalA.accuracy).toBe(evalB.accuracy);
    const logitsA = await predictLogits(linear, test);
    const logitsB = await predictLogits(softmax, test);
    for (let j = 0; j < logitsA.length; j++) expect(logitsA[j]).toBeCloseTo(logitsB[j], 4);
  });

  it('the override travels through applyPlans and a save/load round trip', async () => {
    const model = kerasStyle('sigmoid');
    annotateModel(model, { classifier: { output: 'logits' }, origin: { format: 'onnx', file: 'x.onnx' } });
    const pruned = await applyPlans(model, [{ kind: 'remove-channels', group: 'dense', indices: [0, 1] }]);
    expect(annotationsOf(pruned).classifier).toEqual({ output: 'logits' });
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-head-'));
    try {
      await saveModel(pruned, dir, { omniprune: { iteration: 1 } });
      const loaded = await loadModel(dir);
      expect(annotationsOf(loaded)).toEqual({ classifier: { output: 'logits' }, origin: { format: 'onnx', file: 'x.onnx' } });
      expect(classifierOutput(loaded)).toMatchObject({ logitsLayer: 'dense_1', output: 'logits' });
      loaded.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
