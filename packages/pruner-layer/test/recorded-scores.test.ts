import { beforeAll, describe, expect, it } from 'vitest';
import { buildZooModel } from '@omniprune/core/zoo';
import { testPluginContext } from '@omniprune/core';
import type { ProposeContext } from '@omniprune/plugin-api';
import { proposeContext, syntheticDataset, useCpu } from '@omniprune/core/testing';
import { ckaDropBlockCriterion, klBlockCriterion, removableBlocks } from '../src/index.js';

/**
 * Scores of the data-driven block criteria on a fixed seeded ResNet-20 and sample, recorded before they moved onto
 * core's masked-scoring service (`services.scoring.scoreMasked`): the move must not change a single value, nor the
 * number of draws from the proposal's generator.
 */
const RECORDED: Record<string, { scores: number[]; rng: number }> = {
  'block-kl': {
    scores: [0.03024505672448204, 0.020629935594226694, 0.16777731313869437, 0.07360577823031689, 0.32252692364420427, 0.16241391380858877],
    rng: 1831565824,
  },
  'block-cka': {
    scores: [0.2511688542775552, 0.38587559615791545, 0.26937854099168934, 0.22599126944912074, 0.11146347943409018, 0.054562784439208034],
    rng: 1831565824,
  },
  'block-cka at s3_b0_add': {
    scores: [0.0593714354174093, 0.043938296364484986, 0.040317368326379666, 0.02901970559237388, -2.220446049250313e-16, -2.220446049250313e-16],
    rng: 1831565824,
  },
};

beforeAll(useCpu);

function proposal(): ProposeContext {
  const parent = buildZooModel('resnet20', { inputShape: [16, 16, 3], classes: 4, seed: 3 });
  return proposeContext(parent, { seed: 11, train: syntheticDataset({ count: 40, shape: [16, 16, 3], classes: 4, seed: 3 }) });
}

describe('recorded block scores', () => {
  it.each([
    ['block-kl', klBlockCriterion, { samplesPerClass: 5, batchSize: 16 }],
    ['block-cka', ckaDropBlockCriterion, { samplesPerClass: 5 }],
    ['block-cka at s3_b0_add', ckaDropBlockCriterion, { samplesPerClass: 4, layer: 's3_b0_add' }],
  ] as const)('%s', async (name, definition, options) => {
    const pc = proposal();
    const blocks = removableBlocks(pc.graph, { protectFirstBlock: true, minBlocksPerStage: 2 });
    const criterion = await (definition as typeof klBlockCriterion).create((definition as typeof klBlockCriterion).options.parse(options), testPluginContext());
    const scores = await criterion.scoreBlocks(pc, blocks);
    expect({ scores, rng: pc.rng.state() }).toEqual(RECORDED[name]);
    pc.parent.dispose();
  });
});
