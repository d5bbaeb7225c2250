import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPlans, buildDependencyGraph, bypassBlock, maskChannels } from '../../src/graph/index.js';
import { TINY_MODELS, expectClose, predictValues, randomizeWeights, useCpu } from '../../src/testing/index.js';

const BACKENDS = (process.env.EQ_BACKENDS?.split(',') ?? ['cpu', 'wasm']) as ('cpu' | 'wasm')[];

describe.each(BACKENDS)('pruned model equals masked model on %s', (backend) => {
  it.each(Object.keys(TINY_MODELS) as (keyof typeof TINY_MODELS)[])('%s: every prunable group', async (fixture) => {
    await tf.setBackend(backend);
    const model = TINY_MODELS[fixture]();
    randomizeWeights(model, 7);
    const graph = buildDependencyGraph(model);
    const prunable = graph.groups.filter((g) => !g.frozenReason);
    expect(prunable.length).toBeGreaterThan(0);
    const inShape = [4, ...(model.inputs[0].shape.slice(1) as number[])];
    const x = tf.randomNormal(inShape, 0, 1, 'float32', 3);
    for (const group of prunable) {
      const indices = Array.from({ length: group.size }, (_, i) => i).filter((i) => i % 2 === 0);
      const pruned = await applyPlans(model, [{ kind: 'remove-channels', group: group.id, indices }]);
      const restore = maskChannels(model, graph, group.id, indices);
      const expected = predictValues(model, x);
      restore();
      expectClose(predictValues(pruned, x), expected);
      expect(pruned.countParams()).toBeLessThan(model.countParams());
      pruned.dispose();
    }
    x.dispose();
    model.dispose();
  });

  it('residual: removing a block equals bypassing it', async () => {
    await tf.setBackend(backend);
    const model = TINY_MODELS.residual();
    randomizeWeights(model, 11);
    const graph = buildDependencyGraph(model);
    const x = tf.randomNormal([3, 8, 8, 3], 0, 1, 'float32', 5);
    const pruned = await applyPlans(model, [{ kind: 'remove-block', block: 'b0_add' }]);
    const restore = bypassBlock(model, graph, 'b0_add');
    const expected = predictValues(model, x);
    restore();
    expectClose(predictValues(pruned, x), expected);
    const names = pruned.layers.map((l) => l.name);
    for (const gone of ['b0_conv1', 'b0_bn1', 'b0_relu1', 'b0_conv2', 'b0_bn2', 'b0_add', 'b0_out']) expect(names).not.toContain(gone);
    x.dispose();
    pruned.dispose();
    model.dispose();
  });
});

afterAll(useCpu);
