import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlans, attentionLayers, buildDependencyGraph, bypassBlock, maskChannels, maskHeads } from '../../src/graph/index.js';
import { countCost } from '../../src/metrics/index.js';
import { loadModel, saveModel } from '../../src/index.js';
import { expectClose, predictValues, randomizeWeights, smallVit, useWasm } from '../../src/testing/index.js';

beforeAll(useWasm);

/** The tiny ViT with 5 classes and random weights. */
function randomVit(): tfl.LayersModel {
  const model = smallVit({ classes: 5, seed: 1 });
  randomizeWeights(model, 5);
  return model;
}

describe('attention heads in the graph engine', () => {
  it('lists the attention layers with their heads', () => {
    expect(attentionLayers(buildDependencyGraph(randomVit()))).toEqual([
      { layer: 't0_attn', numHeads: 4, headDim: 4 },
      { layer: 't1_attn', numHeads: 4, headDim: 4 },
    ]);
  });

  it('a model with heads removed equals the original with those heads masked, and is smaller', async () => {
    const model = randomVit();
    const graph = buildDependencyGraph(model);
    const x = tf.randomNormal([3, 8, 8, 1], 0, 1, 'float32', 2);
    for (const [layer, heads] of [
      ['t0_attn', [1, 3]],
      ['t1_attn', [0]],
      ['t1_attn', [2, 1, 3]],
    ] as const) {
      const pruned = await applyPlans(model, [{ kind: 'remove-heads', layer, heads: [...heads] }]);
      const restore = maskHeads(model, graph, layer, heads);
      const expected = predictValues(model, x);
      restore();
      expectClose(predictValues(pruned, x), expected);
      const json = pruned.getLayer(layer).getConfig();
      expect(json.numHeads).toBe(4 - heads.length);
      expect(pruned.getLayer(layer).getWeights()[0].shape).toEqual([16, 4 * (4 - heads.length)]);
      expect(countCost(pruned).flops).toBeLessThan(countCost(model).flops);
      // per head: its 4 columns of the Q, K, V kernels (16 x 4) and biases, its 4 rows of the output kernel (4 x 16)
      expect(countCost(pruned).params).toBe(countCost(model).params - heads.length * (3 * (16 * 4 + 4) + 4 * 16));
      pruned.dispose();
    }
    x.dispose();
  });

  it('MLP hidden neurons are a prunable group and transformer residual branches are removable blocks', async () => {
    const model = randomVit();
    const graph = buildDependencyGraph(model);
    const mlp = graph.groups.find((g) => g.id === 't0_mlp_fc1')!;
    expect(mlp.frozenReason).toBeUndefined();
    expect(mlp.residual).toBe(false);
    expect(mlp.size).toBe(24);
    expect(graph.blocks.filter((b) => !b.unremovableReason).map((b) => b.id)).toEqual(['t0_add1', 't0_add2', 't1_add1', 't1_add2']);
    const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 4);
    const neurons = await applyPlans(model, [{ kind: 'remove-channels', group: 't0_mlp_fc1', indices: [0, 5, 9] }]);
    const restoreNeurons = maskChannels(model, graph, 't0_mlp_fc1', [0, 5, 9]);
    const maskedNeurons = predictValues(model, x);
    restoreNeurons();
    expectClose(predictValues(neurons, x), maskedNeurons);
    const noAttention = await applyPlans(model, [{ kind: 'remove-block', block: 't1_add1' }]);
    const restoreBlock = bypassBlock(model, graph, 't1_add1');
    const bypassed = predictValues(model, x);
    restoreBlock();
    expectClose(predictValues(noAttention, x), bypassed);
    expect(noAttention.layers.map((l) => l.name)).not.toContain('t1_attn');
    x.dispose();
  });

  it('serialise -> load gives the same outputs after head removal', async () => {
    const model = randomVit();
    const pruned = await applyPlans(model, [{ kind: 'remove-heads', layer: 't0_attn', heads: [2] }]);
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-heads-'));
    await saveModel(pruned, dir);
    const loaded = await loadModel(join(dir, 'model.json'));
    const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 9);
    expectClose(predictValues(loaded, x), predictValues(pruned, x), 1e-6);
    expect(attentionLayers(buildDependencyGraph(loaded))[0]).toEqual({ layer: 't0_attn', numHeads: 3, headDim: 4 });
    x.dispose();
  });

  it('rejects bad head plans with what to do instead', async () => {
    const model = randomVit();
    await expect(applyPlans(model, [{ kind: 'remove-heads', layer: 't0_attn', heads: [4] }])).rejects.toThrow(
      /head 4 is out of range for "t0_attn" \(4 heads\)[\s\S]*use heads 0..3/,
    );
    await expect(applyPlans(model, [{ kind: 'remove-heads', layer: 't0_attn', heads: [0, 1, 2, 3] }])).rejects.toThrow(/removing all 4 heads of "t0_attn"/);
    await expect(applyPlans(model, [{ kind: 'remove-heads', layer: 't0_ln1', heads: [0] }])).rejects.toThrow(
      /"t0_ln1" is a LayerNormalization, not a multi-head attention layer[\s\S]*attention layers: t0_attn, t1_attn/,
    );
  });
});

/** Stands in for a Keras-converted attention layer the engine has no adapter for. */
class TalkingHeadsAttention extends tfl.layers.Layer {
  static readonly className = 'TalkingHeadsAttention';
  override build(shape: tfl.Shape | tfl.Shape[]): void {
    const dim = (shape as tfl.Shape)[2] as number;
    this.addWeight('mix', [dim, dim], 'float32', tfl.initializers.glorotUniform({ seed: 3 }));
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [b, t, d] = x.shape;
      return tf.reshape(tf.matMul(tf.reshape(x, [b * t, d]), this.weights[0].read() as tf.Tensor2D), [b, t, d]);
    });
  }
}
tf.serialization.registerClass(TalkingHeadsAttention);

describe('a transformer with an attention layer the engine does not know', () => {
  it('warns naming the layer class and keeps its channels and heads unpruned, without crashing', async () => {
    const input = tfl.input({ shape: [4, 8] });
    const ln = tfl.layers.layerNormalization({ name: 'ln' }).apply(input) as tfl.SymbolicTensor;
    const attn = new TalkingHeadsAttention({ name: 'th_attn' }).apply(ln) as tfl.SymbolicTensor;
    const add = tfl.layers.add({ name: 'add' }).apply([input, attn]) as tfl.SymbolicTensor;
    const hidden = tfl.layers.dense({ name: 'fc1', units: 6, activation: 'relu' }).apply(add) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ name: 'fc2', units: 3 }).apply(tfl.layers.globalAveragePooling1d({ name: 'gap' }).apply(hidden)) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const graph = buildDependencyGraph(model);
    expect(graph.warnings.join('\n')).toMatch(
      /layer "th_attn" \(TalkingHeadsAttention\): unknown layer class TalkingHeadsAttention; its channels are kept unpruned/,
    );
    expect(attentionLayers(graph)).toEqual([]);
    expect(graph.groups.find((g) => g.id === 'fc1')?.frozenReason).toBeUndefined();
    expect(graph.blocks.filter((b) => !b.unremovableReason).map((b) => b.id)).not.toContain('add');
    await expect(applyPlans(model, [{ kind: 'remove-heads', layer: 'th_attn', heads: [0] }])).rejects.toThrow(
      /"th_attn" is a TalkingHeadsAttention, not a multi-head attention layer/,
    );
    const pruned = await applyPlans(model, [{ kind: 'remove-channels', group: 'fc1', indices: [1] }]);
    expect(pruned.getLayer('th_attn').getWeights()[0].shape).toEqual([8, 8]);
  });
});
