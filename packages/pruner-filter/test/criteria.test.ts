import { beforeAll, describe, expect, it } from 'vitest';
import { buildDependencyGraph, type ChannelGroup, type DependencyGraph } from '@omniprune/core/graph';
import { coreServices, testPluginContext } from '@omniprune/core';
import { createRng } from '@omniprune/core/util';
import { meanKlDivergence, softmaxRows, stratifiedSample } from '@omniprune/core/prune';
import {
  bnScaleChannelScores,
  criteria,
  klChannelScores,
  klCriterion,
  l1ChannelScores,
  l1Criterion,
  l2ChannelScores,
  randomChannelScores,
  randomCriterion,
} from '../src/index.js';
import { expectNoLeaks, proposeContext, syntheticDataset, useCpu } from '@omniprune/core/testing';
import { readWeight, resnet20, setWeight, tinyConvModel, tinyMlp } from './helpers.js';

beforeAll(useCpu);

const groupOf = (graph: DependencyGraph, id: string): ChannelGroup => graph.groups.find((g) => g.id === id)!;

/** Hand computation: norm over every axis but the last of a [..., out] kernel. */
function byHand(values: Float32Array, out: number, norm: 'l1' | 'l2'): number[] {
  const acc = new Array<number>(out).fill(0);
  for (let i = 0; i < values.length; i++) acc[i % out] += norm === 'l1' ? Math.abs(values[i]) : values[i] ** 2;
  return norm === 'l1' ? acc : acc.map(Math.sqrt);
}

describe('weight-norm criteria', () => {
  it('l1 and l2 of a Conv2D group equal hand computations over [kh, kw, in, out]', async () => {
    const model = tinyConvModel();
    const graph = buildDependencyGraph(model);
    const { values } = readWeight(model, 'c1', 'kernel');
    // explicit 4-d indexing, independent of the flat layout used above
    const l1 = [0, 1, 2].map((o) => {
      let s = 0;
      for (let kh = 0; kh < 2; kh++) for (let kw = 0; kw < 2; kw++) for (let i = 0; i < 2; i++) s += Math.abs(values[((kh * 2 + kw) * 2 + i) * 3 + o]);
      return s;
    });
    expect(Array.from(await l1ChannelScores(model, graph, groupOf(graph, 'c1')))).toEqual(l1.map(Math.fround));
    const l2 = Array.from(await l2ChannelScores(model, graph, groupOf(graph, 'c1')));
    byHand(values, 3, 'l2').forEach((v, i) => expect(l2[i]).toBeCloseTo(v, 6));
    // the 1x1 conv: 3 inputs x 2 outputs
    const c2 = readWeight(model, 'c2', 'kernel').values;
    expect(Array.from(await l1ChannelScores(model, graph, groupOf(graph, 'c2')))).toEqual(byHand(c2, 2, 'l1').map(Math.fround));
  });

  it('l1 and l2 of a Dense group read the [in, out] kernel and ignore the bias', async () => {
    const model = tinyMlp();
    setWeight(model, 'h1', 'bias', Float32Array.of(100, 100, 100, 100, 100));
    const graph = buildDependencyGraph(model);
    const { values } = readWeight(model, 'h1', 'kernel');
    const l1 = Array.from(await l1ChannelScores(model, graph, groupOf(graph, 'h1')));
    const l2 = Array.from(await l2ChannelScores(model, graph, groupOf(graph, 'h1')));
    byHand(values, 5, 'l1').forEach((v, i) => expect(l1[i]).toBeCloseTo(v, 5));
    byHand(values, 5, 'l2').forEach((v, i) => expect(l2[i]).toBeCloseTo(v, 6));
  });

  it('bn-scale is |gamma| of the BN after the conv, and falls back to l1 without BN', async () => {
    const model = tinyConvModel();
    const graph = buildDependencyGraph(model);
    expect(Array.from(await bnScaleChannelScores(model, graph, groupOf(graph, 'c1')))).toEqual([0.5, 2, 1]);
    expect(await bnScaleChannelScores(model, graph, groupOf(graph, 'c2'))).toEqual(await l1ChannelScores(model, graph, groupOf(graph, 'c2')));
  });

  it('sums over the producers and BNs of a residual group', async () => {
    const model = resnet20(2);
    const graph = buildDependencyGraph(model);
    const group = groupOf(graph, 'stem_conv');
    expect(group.residual).toBe(true);
    const expected = new Array<number>(16).fill(0);
    for (const p of group.producers) byHand(readWeight(model, p, 'kernel').values, 16, 'l1').forEach((v, i) => (expected[i] += v));
    Array.from(await l1ChannelScores(model, graph, group)).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 3));
    const gammas = new Array<number>(16).fill(0);
    for (const bn of group.passthrough) readWeight(model, bn, 'gamma').values.forEach((v, i) => (gammas[i] += Math.abs(v)));
    Array.from(await bnScaleChannelScores(model, graph, group)).forEach((v, i) => expect(v).toBeCloseTo(gammas[i], 5));
  });

  it('the plugins score through the propose context and take no options', async () => {
    const ctx = proposeContext(tinyConvModel());
    const scorer = await l1Criterion.create(l1Criterion.options.parse({}), testPluginContext());
    expect(scorer.role).toBe('channel-importance');
    expect(await scorer.scoreChannels(ctx, groupOf(ctx.graph, 'c1'))).toEqual(await l1ChannelScores(ctx.parent, ctx.graph, groupOf(ctx.graph, 'c1')));
    expect(l1Criterion.options.safeParse({ foo: 1 }).success).toBe(false);
    expect(criteria.map((c) => c.name)).toEqual(['l1', 'l2', 'bn-scale', 'kl', 'random']);
    expect(criteria.every((c) => c.role === 'channel-importance' && c.kind === 'criterion')).toBe(true);
  });
});

describe('kl criterion', () => {
  it('softmax and mean KL behave', () => {
    expect(Array.from(softmaxRows(new Float32Array([0, 0, 1, 1]), 2))).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(meanKlDivergence(new Float64Array([0.2, 0.8]), new Float64Array([0.2, 0.8]), 2)).toBe(0);
    expect(meanKlDivergence(new Float64Array([0.5, 0.5]), new Float64Array([0.9, 0.1]), 2)).toBeCloseTo(
      0.5 * Math.log(0.5 / 0.9) + 0.5 * Math.log(0.5 / 0.1),
      10,
    );
  });

  it('draws samplesPerClass images of each class', () => {
    const train = syntheticDataset({ count: 40, shape: [2, 2, 1], classes: 4, seed: 3 });
    const sample = stratifiedSample(train, 3, 9);
    expect(sample.count).toBe(12);
    expect(Array.from({ length: 4 }, (_, c) => sample.labels.filter((l) => l === c).length)).toEqual([3, 3, 3, 3]);
    expect(stratifiedSample(train, 3, 9).images).toEqual(sample.images);
    expect(stratifiedSample(train, 10, 9)).toBe(train);
  });

  it('scores are >= 0, a channel its consumers already ignore scores ~0, and weights are restored', async () => {
    const model = resnet20(3);
    const graph = buildDependencyGraph(model);
    const group = groupOf(graph, 's1_b0_conv1');
    // zero every weight of s1_b0_conv2 reading channel 5 of s1_b0_conv1: that channel already does nothing
    const { values, shape } = readWeight(model, 's1_b0_conv2', 'kernel');
    const zeroed = values.slice();
    for (let i = 0; i < zeroed.length; i++) if (Math.floor(i / shape[3]) % shape[2] === 5) zeroed[i] = 0;
    setWeight(model, 's1_b0_conv2', 'kernel', zeroed);
    const before = readWeight(model, 's1_b0_conv2', 'kernel').values.slice();
    const train = syntheticDataset({ count: 40, shape: [16, 16, 3], classes: 4, seed: 3 });
    const scores = await expectNoLeaks(async () =>
      klChannelScores(coreServices, proposeContext(model, { train }), group, { samplesPerClass: 3, batchSize: 64 }),
    );
    expect(scores).toHaveLength(16);
    expect(Math.min(...scores)).toBeGreaterThanOrEqual(0);
    expect(scores[5]).toBeLessThan(1e-9);
    expect(Math.max(...scores)).toBeGreaterThan(1e-6);
    expect(readWeight(model, 's1_b0_conv2', 'kernel').values).toEqual(before);
  });

  it('the plugin reuses one sample and one reference prediction per propose context', async () => {
    const ctx = proposeContext(tinyConvModel(), { train: syntheticDataset({ count: 30, shape: [4, 4, 2], classes: 3, seed: 5 }) });
    const scorer = await klCriterion.create(klCriterion.options.parse({ samplesPerClass: 4 }), testPluginContext());
    const first = await scorer.scoreChannels(ctx, groupOf(ctx.graph, 'c1'));
    const state = ctx.rng.state();
    const again = await scorer.scoreChannels(ctx, groupOf(ctx.graph, 'c1'));
    expect(ctx.rng.state()).toBe(state); // no new sample drawn
    expect(again).toEqual(first);
    expect(klCriterion.options.parse({})).toEqual({ samplesPerClass: 50, batchSize: 256 });
    expect(klCriterion.options.safeParse({ samplesPerClass: 0 }).success).toBe(false);
  });
});

describe('random criterion', () => {
  it('is reproducible with the same seed', async () => {
    expect(randomChannelScores(createRng(4), { size: 6 })).toEqual(randomChannelScores(createRng(4), { size: 6 }));
    expect(randomChannelScores(createRng(4), { size: 6 })).not.toEqual(randomChannelScores(createRng(5), { size: 6 }));
    const ctx = proposeContext(tinyConvModel());
    const scorer = await randomCriterion.create({}, testPluginContext());
    const scores = await scorer.scoreChannels(ctx, groupOf(ctx.graph, 'c1'));
    expect(scores).toHaveLength(3);
    expect(scores.every((s) => s >= 0 && s < 1)).toBe(true);
  });
});
