import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlans, buildDependencyGraph } from '@omniprune/core/graph';
import { buildZooModel } from '@omniprune/core/zoo';
import { createPluginContainer, registerPlugin, stopRulesOf } from '@omniprune/core';
import { stopAfterIteration, stopSchemaOf } from '@omniprune/core/prune';
import { useCpu } from '@omniprune/core/testing';
import { layerPruner, removableBlocks } from '../src/index.js';

beforeAll(useCpu);

/** Every stop rule a pipeline with the layer pruner registered checks (core's, the layer pruner's). */
function registeredRules() {
  const c = createPluginContainer();
  registerPlugin(c, layerPruner);
  return stopRulesOf(c);
}

describe('stop: { minBlocksPerStage: 2 } stops where the reference loop stops', () => {
  for (const [depth, perStage, removals] of [
    [20, 3, 3],
    [56, 9, 21],
  ] as const) {
    it(`ResNet-${depth}: [${perStage}, ${perStage}, ${perStage}] -> [2, 2, 2] after ${removals} block removals, no earlier`, async () => {
      const rules = registeredRules();
      const stop = stopSchemaOf(rules).parse({ minBlocksPerStage: 2, maxIterations: 1000 });
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
        const stats = { flops: 1, params: 1, accuracy: 0.9 };
        const decision = stopAfterIteration(rules, { stop, model, graph, iteration: n, stats, baseline: stats });
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
