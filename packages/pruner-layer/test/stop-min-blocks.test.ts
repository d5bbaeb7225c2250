import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlans, buildDependencyGraph, buildZooModel, checkStop, stopSchema, type RunReport } from '@omniprune/core';
import { removableBlocks } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A report whose last iteration is `n` (only what checkStop reads). */
function reportAt(n: number): RunReport {
  const stats = { flops: 1, params: 1, accuracy: 0.9, loss: 0 };
  return {
    name: 'x',
    seed: 1,
    backend: 'cpu',
    similarity: 'linear-cka',
    pruners: ['layer'],
    baseline: stats,
    iterations: Array.from({ length: n }, (_, i) => ({
      iteration: i + 1,
      candidates: [],
      chosen: 0,
      chosenKind: 'layer',
      stats,
      flopsReduction: 0,
      paramsReduction: 0,
      accuracyChange: 0,
      seconds: 0,
      modelDir: '',
    })),
  };
}

describe('stop: { minBlocksPerStage: 2 } stops where the reference loop stops', () => {
  for (const [depth, perStage, removals] of [
    [20, 3, 3],
    [56, 9, 21],
  ] as const) {
    it(`ResNet-${depth}: [${perStage}, ${perStage}, ${perStage}] -> [2, 2, 2] after ${removals} block removals, no earlier`, async () => {
      const stop = stopSchema.parse({ minBlocksPerStage: 2, maxIterations: 1000 });
      let model = buildZooModel(`resnet${depth}`, { inputShape: [8, 8, 1], classes: 3, seed: 1 });
      let graph = buildDependencyGraph(model);
      expect([...new Map(graph.blocks.map((b) => [b.stage, graph.blocks.filter((c) => c.stage === b.stage).length])).values()]).toEqual([
        perStage,
        perStage,
        perStage,
      ]);
      let n = 0;
      for (;;) {
        const candidates = removableBlocks(graph, { protectFirstBlock: true, minBlocksPerStage: 2 });
        if (candidates.length === 0) break;
        const next = await applyPlans(model, [{ kind: 'remove-block', block: candidates[candidates.length - 1].id }]);
        model.dispose();
        model = next;
        graph = buildDependencyGraph(model);
        n++;
        const decision = checkStop(stop, reportAt(n), graph);
        if (decision) {
          expect(decision.reason).toBe('min-blocks');
          expect(decision.message).toMatch(/\[2, 2, 2\]/);
          break;
        }
      }
      // the first stage keeps its protected first block and one more; every removal the rule allowed was made
      expect(n).toBe(removals);
      model.dispose();
    });
  }
});
