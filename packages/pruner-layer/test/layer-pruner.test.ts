import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlans, buildDependencyGraph, bypassBlock } from '@omniprune/core/graph';
import { buildZooModel } from '@omniprune/core/zoo';
import { coreServices, testPluginContext } from '@omniprune/core';
import type { ProposeContext } from '@omniprune/plugin-api';
import { expectNoLeaks, proposeContext, syntheticDataset, useCpu } from '@omniprune/core/testing';
import { klBlockScores, layerPruner, removableBlocks, unitsInBlock } from '../src/index.js';

beforeAll(useCpu);

function context(depth = 20, seed = 1): ProposeContext {
  const parent = buildZooModel(`resnet${depth}`, { inputShape: [16, 16, 3], classes: 4, seed });
  return proposeContext(parent, { seed, train: syntheticDataset({ count: 40, shape: [16, 16, 3], classes: 4, seed }) });
}

describe('removable blocks', () => {
  it('follows the reference rules: not the first block, no projection block, >= 2 blocks per stage', () => {
    const { graph } = context(20);
    const ids = removableBlocks(graph, { protectFirstBlock: true, minBlocksPerStage: 2 }).map((b) => b.id);
    expect(ids).toEqual(['s1_b1_add', 's1_b2_add', 's2_b1_add', 's2_b2_add', 's3_b1_add', 's3_b2_add']);
    expect(removableBlocks(graph, { protectFirstBlock: false, minBlocksPerStage: 3 })).toEqual([]);
    expect(removableBlocks(graph, { protectFirstBlock: false, minBlocksPerStage: 0 }).map((b) => b.id)).toContain('s1_b0_add');
    expect(removableBlocks(graph, { protectFirstBlock: true, minBlocksPerStage: 2, exclude: '^s1' }).map((b) => b.id)).toEqual([
      's2_b1_add',
      's2_b2_add',
      's3_b1_add',
      's3_b2_add',
    ]);
  });

  it('counts the filters a block removes', () => {
    const { graph } = context(20);
    const byId = (id: string) => graph.blocks.find((b) => b.id === id)!;
    expect(unitsInBlock(graph, byId('s1_b1_add'))).toBe(32);
    expect(unitsInBlock(graph, byId('s3_b2_add'))).toBe(128);
  });
});

describe('KL block criterion', () => {
  it('scores a block by how much disabling it changes predictions, restoring weights after', async () => {
    const ctx = context(20, 3);
    const blocks = removableBlocks(ctx.graph, { protectFirstBlock: true, minBlocksPerStage: 2 });
    // make one block already an identity: its score must be ~0, the others not
    bypassBlock(ctx.parent, ctx.graph, 's2_b1_add');
    const scores = await expectNoLeaks(() => klBlockScores(coreServices, ctx, blocks, { samplesPerClass: 5, batchSize: 64 }));
    const idle = blocks.findIndex((b) => b.id === 's2_b1_add');
    expect(scores[idle]).toBeLessThan(1e-9);
    expect(Math.min(...scores.filter((_, i) => i !== idle))).toBeGreaterThan(1e-7);
  });
});

describe('layer pruner', () => {
  it('proposes removing the lowest-scoring block, and the plan applies', async () => {
    const ctx = context(20, 5);
    bypassBlock(ctx.parent, ctx.graph, 's3_b2_add');
    const pruner = await layerPruner.create(
      layerPruner.options.parse({ criterion: 'block-kl', criterionOptions: { samplesPerClass: 4 } }),
      testPluginContext(),
    );
    const candidate = (await pruner.propose(ctx))!;
    expect(candidate.kind).toBe('layer');
    expect(candidate.plans).toEqual([{ kind: 'remove-block', block: 's3_b2_add' }]);
    expect(candidate.removedUnits).toBe(128);
    const pruned = await applyPlans(ctx.parent, candidate.plans);
    expect(buildDependencyGraph(pruned).blocks).toHaveLength(8);
  });

  it('respects the stage minimum across several blocks per iteration and returns null when nothing is left', async () => {
    const ctx = context(20, 7);
    const pruner = await layerPruner.create(layerPruner.options.parse({ criterion: 'block-l1', blocksPerIteration: 6 }), testPluginContext());
    const candidate = (await pruner.propose(ctx))!;
    expect(candidate.plans).toHaveLength(3);
    const stages = candidate.plans.map((p) => (p as { block: string }).block.slice(0, 2)).sort();
    expect(stages).toEqual(['s1', 's2', 's3']);
    const pruned = await applyPlans(ctx.parent, candidate.plans);
    const next = { ...ctx, parent: pruned, graph: buildDependencyGraph(pruned) };
    expect(await pruner.propose(next)).toBeNull();
  });

  it('rejects bad options with the path', () => {
    const r = layerPruner.options.safeParse({ minBlocksPerStage: -1 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(['minBlocksPerStage']);
  });
});
