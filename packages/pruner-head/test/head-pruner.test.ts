import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlans, attentionLayers, buildDependencyGraph } from '@omniprune/core/graph';
import { coreServices, testPluginContext } from '@omniprune/core';
import { createRng } from '@omniprune/core/util';
import { tfjsInferenceRunner, type InferenceRunner } from '@omniprune/core/prune';
import type { Pruner, ProposeContext } from '@omniprune/plugin-api';
import { headCkaCriterion, headCkaDropScores, headOutputScores, headPruner, headWeightScores, pickHeads } from '../src/index.js';
import { proposeContext, smallVit, syntheticDataset, useCpu } from '@omniprune/core/testing';

beforeAll(useCpu);

function context(model: tfl.LayersModel): ProposeContext {
  return proposeContext(model, { seed: 9, train: syntheticDataset({ count: 40, shape: [8, 8, 1], classes: 4, seed: 4 }) });
}

/** Multiply every weight of head `h` of `layer` (Q/K/V columns and biases, output rows) by `factor`. */
function scaleHead(model: tfl.LayersModel, layer: string, h: number, factor: number): void {
  const live = model.getLayer(layer);
  const values = live.getWeights().map((w, i) => {
    const name = live.weights[i].name.split('/').slice(-2).join('/');
    const axis = name === 'output/kernel' ? 0 : name === 'output/bias' ? -1 : w.rank === 2 ? 1 : 0;
    if (axis < 0) return w;
    const data = w.dataSync().slice();
    const [rows, cols] = w.rank === 2 ? w.shape : [1, w.shape[0]];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const index = axis === 0 && w.rank === 2 ? r : c;
        if (Math.floor(index / 4) === h) data[r * cols + c] *= factor;
      }
    }
    return tf.tensor(data, w.shape);
  });
  live.setWeights(values);
}

describe('head criteria', () => {
  it('head-l1 sums |w| over exactly the weights a head owns', async () => {
    const model = smallVit();
    const [attention] = attentionLayers(buildDependencyGraph(model));
    const before = await headWeightScores(model, attention, 'l1');
    scaleHead(model, 't0_attn', 1, 3);
    const after = await headWeightScores(model, attention, 'l1');
    expect(after[1]).toBeCloseTo(before[1] * 3, 3);
    for (const h of [0, 2, 3]) expect(after[h]).toBeCloseTo(before[h], 5);
    scaleHead(model, 't0_attn', 2, 0);
    expect((await headWeightScores(model, attention, 'l2'))[2]).toBe(0);
  });

  it('head-output and head-cka give a silenced head zero and the others more', async () => {
    const model = smallVit();
    scaleHead(model, 't1_attn', 3, 0);
    const ctx = context(model);
    const attention = attentionLayers(ctx.graph)[1];
    const output = await headOutputScores(coreServices, ctx, attention, { samplesPerClass: 5, batchSize: 32 });
    const cka = await headCkaDropScores(coreServices, ctx, attention, { samplesPerClass: 5, batchSize: 32, layer: 'penultimate' });
    const blockCka = await headCkaDropScores(coreServices, ctx, attention, { samplesPerClass: 5, batchSize: 32, layer: 'block' });
    expect(Math.abs(blockCka[3])).toBeLessThan(1e-5);
    expect(Math.min(blockCka[0], blockCka[1], blockCka[2])).toBeGreaterThan(1e-5);
    expect(output[3]).toBe(0);
    expect(Math.abs(cka[3])).toBeLessThan(1e-5);
    for (const h of [0, 1, 2]) {
      expect(output[h]).toBeGreaterThan(0);
      expect(cka[h]).toBeGreaterThan(1e-5);
    }
  });

  it("head-cka scores every layer on one sample and one parent capture per proposal, on the run's runner", async () => {
    const captured: string[] = [];
    const runner: InferenceRunner = {
      ...tfjsInferenceRunner,
      name: 'spy',
      capture: (model, layer, ds, batchSize) => {
        captured.push(`${layer}:${ds.count}`);
        return tfjsInferenceRunner.capture(model, layer, ds, batchSize);
      },
    };
    const ctx = { ...context(smallVit()), runner };
    const criterion = await headCkaCriterion.create(headCkaCriterion.options.parse({ samplesPerClass: 5 }), testPluginContext());
    const [a, b] = attentionLayers(ctx.graph);
    await criterion.scoreHeads(ctx, a);
    const state = ctx.rng.state();
    await criterion.scoreHeads(ctx, b);
    expect(ctx.rng.state()).toBe(state); // the second layer drew no new sample
    // one capture of the unmasked parent, then one per head of each layer, all on the same 20 images
    expect(captured).toEqual(Array.from({ length: 1 + a.numHeads + b.numHeads }, () => 'gap:20'));
    const fresh = { ...ctx, rng: createRng(9) };
    await criterion.scoreHeads(fresh, a);
    expect(captured).toHaveLength(2 + 2 * a.numHeads + b.numHeads); // a new proposal captures its own parent
  });
});

describe('pickHeads', () => {
  it('takes the lowest heads across layers and keeps minHeads per layer', () => {
    const a = { layer: 'a', numHeads: 3, headDim: 1 };
    const b = { layer: 'b', numHeads: 2, headDim: 1 };
    const scored = [
      { attention: a, scores: Float32Array.of(0.1, 0.2, 0.9) },
      { attention: b, scores: Float32Array.of(0.05, 0.15) },
    ];
    expect([...pickHeads(scored, 3, 1)]).toEqual([
      ['b', [0]],
      ['a', [0, 1]],
    ]);
    expect([...pickHeads(scored, 5, 2)]).toEqual([['a', [0]]]);
  });
});

describe('head pruner', () => {
  it('proposes removing the weakest head, and the plan applies', async () => {
    const model = smallVit();
    scaleHead(model, 't1_attn', 2, 0.01);
    const pruner = (await headPruner.create(headPruner.options.parse({}), testPluginContext())) as Pruner;
    const candidate = await pruner.propose(context(model));
    expect(candidate).toMatchObject({ kind: 'head', pruner: 'head', removedUnits: 1, plans: [{ kind: 'remove-heads', layer: 't1_attn', heads: [2] }] });
    expect(candidate!.summary).toBe('remove 1 head t1_attn[2] (head-l1)');
    const pruned = await applyPlans(model, candidate!.plans);
    expect(attentionLayers(buildDependencyGraph(pruned)).map((a) => a.numHeads)).toEqual([4, 3]);
  });

  it('respects include and minHeadsPerLayer, and returns null when no head may go', async () => {
    const model = smallVit();
    const make = async (o: object) => (await headPruner.create(headPruner.options.parse(o), testPluginContext())) as Pruner;
    const only0 = await (await make({ include: '^t0_', headsPerIteration: 5 })).propose(context(model));
    expect(only0!.plans).toEqual([{ kind: 'remove-heads', layer: 't0_attn', heads: expect.any(Array) }]);
    expect(only0!.removedUnits).toBe(3);
    expect(await (await make({ minHeadsPerLayer: 4 })).propose(context(model))).toBeNull();
    expect(() => headPruner.options.parse({ headsPerIteration: 0 })).toThrow();
  });
});
