import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildZooModel } from '@omniprune/core/zoo';
import { testPluginContext } from '@omniprune/core';
import { proposeContext, syntheticDataset, useCpu } from '@omniprune/core/testing';
import { blockAngularCriterion, blockInfluenceCriterion, lastBlockCriterion, removableBlocks } from '../src/index.js';

beforeAll(useCpu);

/** A seeded ResNet-20 whose block `s2_b1_add` has a zero branch: its output is its (non-negative) input. */
function proposal() {
  const parent = buildZooModel('resnet20', { inputShape: [16, 16, 3], classes: 4, seed: 3 });
  const pc = proposeContext(parent, { seed: 11, train: syntheticDataset({ count: 40, shape: [16, 16, 3], classes: 4, seed: 3 }) });
  const block = pc.graph.blocks.find((b) => b.id === 's2_b1_add')!;
  // the branch's last batch norm with gamma = beta = 0: the branch adds exactly 0
  const lastBn = block.branch.filter((l) => parent.getLayer(l).getClassName() === 'BatchNormalization').at(-1)!;
  const bn = parent.getLayer(lastBn);
  bn.setWeights(bn.getWeights().map((w, i) => (i < 2 ? tf.zerosLike(w) : w)));
  return { pc, blocks: removableBlocks(pc.graph, { protectFirstBlock: true, minBlocksPerStage: 1 }), zeroed: block.id };
}

describe('block criteria from the layer-pruning literature', () => {
  it('Block Influence and angular distance: 0 for a block that returns its input, positive for the others', async () => {
    const { pc, blocks, zeroed } = proposal();
    const influence = await (
      await blockInfluenceCriterion.create(blockInfluenceCriterion.options.parse({ samplesPerClass: 4 }), testPluginContext())
    ).scoreBlocks(pc, blocks);
    const angular = await (await blockAngularCriterion.create(blockAngularCriterion.options.parse({ samplesPerClass: 4 }), testPluginContext())).scoreBlocks(
      pc,
      blocks,
    );
    const k = blocks.findIndex((b) => b.id === zeroed);
    expect(k).toBeGreaterThanOrEqual(0);
    expect(influence[k]).toBeCloseTo(0, 6);
    expect(angular[k]).toBeCloseTo(0, 3); // arccos near 1 is steep: float32 features leave ~1e-4
    for (const [i, s] of influence.entries()) if (i !== k) expect(s).toBeGreaterThan(1e-3);
    for (const [i, s] of angular.entries()) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
      if (i !== k) expect(s).toBeGreaterThan(0);
    }
    // the angular distance orders blocks as Block Influence does: both are monotone in the same cosine per position
    const order = (v: number[]) => v.map((_, i) => i).sort((a, b) => v[a] - v[b]);
    expect(order(angular)[0]).toBe(order(influence)[0]);
  });

  it('block-last removes the deepest block first', async () => {
    const { pc, blocks } = proposal();
    const scores = await (await lastBlockCriterion.create({}, testPluginContext())).scoreBlocks(pc, blocks);
    expect(scores).toEqual(blocks.map((b) => -b.index));
    expect(blocks[scores.indexOf(Math.min(...scores))].index).toBe(Math.max(...blocks.map((b) => b.index)));
  });
});
