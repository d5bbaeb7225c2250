import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { isOmnipruneError } from '../../src/errors/omniprune-error.js';
import { AddPositionEmbedding, loadLayersModel, MultiHeadSelfAttention, registerZooLayers, vit } from '../../src/zoo/index.js';
import { countMacs, countParams, layerNames } from './zoo-helpers.js';
import { expectNoLeaks, useCpu } from '../../src/testing/index.js';

beforeAll(useCpu);

async function saveToMemory(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

const predict = (model: tfl.LayersModel, x: tf.Tensor): Float32Array => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);

describe('vit', () => {
  it('names its layers patch_embed, tokens, pos_embed, t{i}_*, final_ln, gap, logits, probs', () => {
    const model = vit({ inputShape: [28, 28, 1], classes: 10, depth: 2 });
    const block = (i: number) => [`t${i}_ln1`, `t${i}_attn`, `t${i}_add1`, `t${i}_ln2`, `t${i}_mlp_fc1`, `t${i}_mlp_fc2`, `t${i}_add2`];
    expect(layerNames(model)).toEqual(['input', 'patch_embed', 'tokens', 'pos_embed', ...block(0), ...block(1), 'final_ln', 'gap', 'logits', 'probs']);
    expect(model.getLayer('tokens').outputShape).toEqual([null, 49, 64]);
    expect(model.getLayer('pos_embed')).toBeInstanceOf(AddPositionEmbedding);
    expect(model.getLayer('pos_embed').weights.map((w) => [w.originalName, w.shape])).toEqual([['pos_embed/embeddings', [49, 64]]]);
    const attn = model.getLayer('t1_attn') as MultiHeadSelfAttention;
    expect(attn).toBeInstanceOf(MultiHeadSelfAttention);
    expect([attn.numHeads, attn.headDim, attn.useBias]).toEqual([4, 16, true]);
    expect(model.getLayer('t0_mlp_fc1').getConfig()).toMatchObject({ units: 128, activation: 'gelu' });
    expect(model.getLayer('t0_mlp_fc2').getConfig()).toMatchObject({ units: 64, activation: 'linear' });
    expect(model.getLayer('logits').getConfig().activation).toBe('linear');
    expect(model.getLayer('probs').getConfig().activation).toBe('softmax');
    model.dispose();
  });

  it('predicts [batch, classes] on 28x28x1 (7x7 tokens) and 32x32x3 (8x8 tokens), one head too', async () => {
    await expectNoLeaks(() => {
      for (const [shape, numHeads, tokens] of [
        [[28, 28, 1], 4, 49],
        [[32, 32, 3], 1, 64],
      ] as const) {
        const model = vit({ inputShape: shape, classes: 10, numHeads, dim: 32, depth: 2, seed: 1 });
        expect(model.getLayer('pos_embed').outputShape).toEqual([null, tokens, 32]);
        const out = tf.tidy(() => model.predict(tf.randomNormal([3, ...shape], 0, 1, 'float32', 2)) as tf.Tensor);
        expect(out.shape).toEqual([3, 10]);
        const sums = tf.tidy(() => tf.sum(out, 1).arraySync() as number[]);
        for (const s of sums) expect(s).toBeCloseTo(1, 5);
        out.dispose();
        model.dispose();
      }
    });
  });

  it('counts its dense and patch MACs and parameters (default 28x28x1 model)', () => {
    const model = vit({ inputShape: [28, 28, 1], classes: 10 });
    const macs = countMacs(model);
    expect(macs.conv).toBe(7 * 7 * 4 * 4 * 1 * 64);
    // per block: fc1 + fc2 on 49 tokens; the attention projections are inside MultiHeadSelfAttention, not Dense
    expect(macs.dense).toBe(4 * 2 * 49 * 64 * 128 + 64 * 10);
    const perBlock = 4 * (64 * 64 + 64) + 2 * 2 * 64 + (64 * 128 + 128) + (128 * 64 + 64);
    const expected = 16 * 64 + 64 + 49 * 64 + 4 * perBlock + 2 * 64 + (64 * 10 + 10);
    expect(countParams(model).trainable).toBe(expected);
    model.dispose();
  });

  it('survives save / loadLayersModel(fromMemory) with identical outputs and weight names', async () => {
    const model = vit({ inputShape: [28, 28, 1], classes: 10, depth: 2, seed: 3 });
    const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 4);
    const artifacts = await saveToMemory(model);
    const json = JSON.stringify(artifacts.modelTopology);
    expect(json).toContain('"class_name":"MultiHeadSelfAttention"');
    expect(json).toContain('"class_name":"AddPositionEmbedding"');
    expect(json).toMatch(/"num_heads":4,"head_dim":16,"use_bias":true/);
    expect(artifacts.weightSpecs!.map((s) => s.name)).toContain('t1_attn/output/kernel');
    const loaded = await loadLayersModel(tf.io.fromMemory(artifacts));
    expect(layerNames(loaded)).toEqual(layerNames(model));
    expect(loaded.getLayer('t0_attn')).toBeInstanceOf(MultiHeadSelfAttention);
    expect(loaded.getLayer('t0_attn').weights.map((w) => w.originalName)).toEqual(model.getLayer('t0_attn').weights.map((w) => w.originalName));
    expect(predict(loaded, x)).toEqual(predict(model, x));
    tf.dispose(x);
    model.dispose();
    loaded.dispose();
  });

  it('survives an in-memory model.toJSON() -> modelFromJSON round trip', async () => {
    registerZooLayers();
    const model = vit({ inputShape: [32, 32, 3], classes: 5, depth: 1, numHeads: 2, seed: 5 });
    const topology = JSON.parse(model.toJSON() as string);
    const copy = await tfl.models.modelFromJSON({ modelTopology: topology });
    const weights = model.getWeights();
    copy.setWeights(weights);
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 6);
    expect(predict(copy, x)).toEqual(predict(model, x));
    expect((copy.getLayer('t0_attn') as MultiHeadSelfAttention).numHeads).toBe(2);
    tf.dispose(x);
    model.dispose();
    copy.dispose();
  });

  it('trains: one fit step changes every trainable weight, attention and position embedding included', async () => {
    const model = vit({ inputShape: [28, 28, 1], classes: 3, dim: 16, depth: 1, numHeads: 2, mlpDim: 32, seed: 7 });
    const before = model.trainableWeights.map((w) => w.read().clone());
    model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
    const x = tf.randomNormal([8, 28, 28, 1], 0, 1, 'float32', 8);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const history = await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    expect(Number.isFinite(history.history.loss[0] as number)).toBe(true);
    const names = model.trainableWeights.map((w) => w.originalName);
    expect(names).toEqual(expect.arrayContaining(['pos_embed/embeddings', 't0_attn/query/kernel', 't0_attn/output/bias']));
    model.trainableWeights.forEach((w, i) => {
      const change = tf.tidy(() => tf.max(tf.abs(tf.sub(w.read(), before[i]))).dataSync()[0]);
      expect(change, w.originalName).toBeGreaterThan(0);
    });
    tf.dispose([x, y, ...before]);
    model.optimizer.dispose();
    model.dispose();
  });

  it('is deterministic given a seed', () => {
    const x = tf.randomNormal([1, 28, 28, 1], 0, 1, 'float32', 9);
    const out = (seed: number) => {
      const model = vit({ inputShape: [28, 28, 1], classes: 10, depth: 1, seed });
      const p = predict(model, x);
      model.dispose();
      return Array.from(p);
    };
    expect(out(1)).toEqual(out(1));
    expect(out(1)).not.toEqual(out(2));
    x.dispose();
  });

  it('rejects patch sizes that do not divide the input and dims not divisible by the heads', () => {
    expect(() => vit({ inputShape: [28, 28, 1], classes: 10, patchSize: 8 })).toThrow(/not divisible by patchSize 8/);
    try {
      vit({ inputShape: [28, 28, 1], classes: 10, dim: 30, numHeads: 4 });
      expect.unreachable();
    } catch (e) {
      expect(isOmnipruneError(e, 'E_BAD_INPUT')).toBe(true);
      expect((e as Error).message).toMatch(/dim 30 is not divisible by numHeads 4/);
    }
  });

  it('loadLayersModel wraps load failures in E_CORRUPT_FILE', async () => {
    const broken = tf.io.fromMemory({ modelTopology: { class_name: 'Model', config: { layers: [{ class_name: 'NoSuchLayer', config: {} }] } } });
    await expect(loadLayersModel(broken)).rejects.toSatisfy((e: unknown) => isOmnipruneError(e, 'E_CORRUPT_FILE'));
  });
});
