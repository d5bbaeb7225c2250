import { beforeAll, describe, expect, it } from 'vitest';
import { attentionLayers } from '@omniprune/core/graph';
import { testPluginContext } from '@omniprune/core';
import type { ProposeContext } from '@omniprune/plugin-api';
import { headCkaCriterion, headOutputCriterion } from '../src/index.js';
import { proposeContext, smallVit, syntheticDataset, useCpu } from '@omniprune/core/testing';

/**
 * Scores of the data-driven head criteria on a fixed seeded ViT and sample, recorded before they moved onto core's
 * masked-scoring service (`services.scoring.scoreMasked`): the move must not change a single value, nor the number
 * of draws from the proposal's generator.
 */
const RECORDED: Record<string, { scores: number[][]; rng: number }> = {
  'head-output': {
    scores: [
      [1.3383965492248535, 1.245336890220642, 1.0552319288253784, 1.2137306928634644],
      [1.7252297401428223, 1.2875409126281738, 1.4701440334320068, 1.8305892944335938],
    ],
    rng: 1831565824,
  },
  'head-cka': {
    scores: [
      [0.22609780728816986, 0.14961762726306915, 0.03039955161511898, 0.1915265917778015],
      [0.03504471853375435, 0.02012413926422596, 0.03362744674086571, 0.04321032017469406],
    ],
    rng: 1831565824,
  },
  'head-cka block': {
    scores: [
      [0.0961713045835495, 0.05697653070092201, 0.04689095541834831, 0.058625441044569016],
      [0.02990482933819294, 0.014254010282456875, 0.03784967586398125, 0.0639377236366272],
    ],
    rng: 1831565824,
  },
};

beforeAll(useCpu);

function proposal(): ProposeContext {
  return proposeContext(smallVit(), { seed: 11, train: syntheticDataset({ count: 40, shape: [8, 8, 1], classes: 4, seed: 4 }) });
}

describe('recorded head scores', () => {
  it.each([
    ['head-output', headOutputCriterion, { samplesPerClass: 5, batchSize: 16 }],
    ['head-cka', headCkaCriterion, { samplesPerClass: 5 }],
    ['head-cka block', headCkaCriterion, { samplesPerClass: 4, layer: 'block' }],
  ] as const)('%s', async (name, definition, options) => {
    const pc = proposal();
    const criterion = await (definition as typeof headCkaCriterion).create((definition as typeof headCkaCriterion).options.parse(options), testPluginContext());
    const scores = [];
    for (const attention of attentionLayers(pc.graph)) scores.push(Array.from(await criterion.scoreHeads(pc, attention)));
    expect({ scores, rng: pc.rng.state() }).toEqual(RECORDED[name]); // one sample for both layers
    pc.parent.dispose();
  });
});
