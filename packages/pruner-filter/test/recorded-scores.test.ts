import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@omniprune/core/util';
import { testPluginContext } from '@omniprune/core';
import type { ChannelGroup, DependencyGraph } from '@omniprune/core/graph';
import { klCriterion } from '../src/index.js';
import { proposeContext, syntheticDataset, useCpu } from '@omniprune/core/testing';
import { resnet20 } from './helpers.js';

/**
 * Scores of the `kl` criterion on a fixed seeded ResNet-20 and sample, recorded before it moved onto core's
 * masked-scoring service (`services.scoring.scoreMasked`): the move must not change a single value, nor the number
 * of draws from the proposal's generator.
 */
const RECORDED = {
  conv1: [
    0.0027468460611999035, 0.00016738251724746078, 0.003361193696036935, 0.0007634111680090427, 0.0004523513780441135, 0.001094984239898622,
    0.0015353875933215022, 0.0014683341141790152, 0.0007115417975001037, 0.000387219013646245, 0.0018119660671800375, 0.00011791863653343171,
    0.0016350240912288427, 0.00074909464456141, 0.0022320274729281664, 0.00008843133400660008,
  ],
  stem: [
    0.004825678188353777, 0.009307739324867725, 0.021034127101302147, 0.01867671310901642, 0.009621632285416126, 0.010615194216370583, 0.005766318179666996,
    0.004168666899204254, 0.014564729295670986, 0.012535998597741127, 0.009285206906497478, 0.005660205148160458, 0.015734542161226273, 0.0023905246052891016,
    0.01243526954203844, 0.002908664755523205,
  ],
  rng: 1831565824,
};

beforeAll(useCpu);

const groupOf = (graph: DependencyGraph, id: string): ChannelGroup => graph.groups.find((g) => g.id === id)!;

describe('recorded kl scores', () => {
  it('kl', async () => {
    const pc = { ...proposeContext(resnet20(3), { train: syntheticDataset({ count: 40, shape: [16, 16, 3], classes: 4, seed: 3 }) }), rng: createRng(11) };
    const criterion = await klCriterion.create(klCriterion.options.parse({ samplesPerClass: 3, batchSize: 16 }), testPluginContext());
    const conv1 = await criterion.scoreChannels(pc, groupOf(pc.graph, 's1_b0_conv1'));
    const stem = await criterion.scoreChannels(pc, groupOf(pc.graph, 'stem_conv'));
    expect({ conv1: Array.from(conv1), stem: Array.from(stem), rng: pc.rng.state() }).toEqual(RECORDED); // one sample for both groups
    pc.parent.dispose();
  });
});
