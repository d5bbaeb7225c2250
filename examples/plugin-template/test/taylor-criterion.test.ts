import { beforeAll, describe, expect, it } from 'vitest';
import { coreServices } from '@omniprune/core';
import { evaluateClassifier } from '@omniprune/core/train';
import type { ChannelImportance } from '@omniprune/plugin-api';
import { create, proposeContext, tinyResnet, useBackend } from './helpers.js';

beforeAll(useBackend);

/** Scale output filter `c` of a Conv2D kernel by `alpha` (in place on the model). */
function scaleFilter(model: ReturnType<typeof tinyResnet>['model'], layer: string, c: number, alpha: number, original: Float32Array): void {
  const { tf } = coreServices;
  const weights = model.getLayer(layer).getWeights();
  const shape = weights[0].shape;
  const out = shape[shape.length - 1];
  const values = original.slice();
  for (let i = c; i < values.length; i += out) values[i] *= alpha;
  model.getLayer(layer).setWeights([tf.tensor(values, shape), ...weights.slice(1)]);
}

describe('taylor criterion', () => {
  it('scores each filter with the squared derivative of the loss along the filter (checked by finite differences)', async () => {
    const { model, train } = tinyResnet();
    const ctx = proposeContext(model, train);
    const group = ctx.graph.groups.find((g) => g.id === 's2_b1_conv1')!;
    const taylor = await create<ChannelImportance>('criterion', 'taylor', { samplesPerClass: 50 });
    const scores = await taylor.scoreChannels(ctx, group);
    expect(scores).toHaveLength(32);
    const original = (await model.getLayer('s2_b1_conv1').getWeights()[0].data()) as Float32Array;
    const eps = 0.01;
    const byScore = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
    const derivatives: number[] = [];
    for (const c of [...byScore.slice(0, 3), byScore[31]]) {
      scaleFilter(model, 's2_b1_conv1', c, 1 + eps, original);
      const up = (await evaluateClassifier(model, train)).loss;
      scaleFilter(model, 's2_b1_conv1', c, 1 - eps, original);
      const down = (await evaluateClassifier(model, train)).loss;
      scaleFilter(model, 's2_b1_conv1', c, 1, original);
      const derivative = (up - down) / (2 * eps);
      derivatives.push(Math.abs(derivative));
      // float32 losses near 4 carry ~1e-6 of noise: 3e-4 absolute slack on a 0.02-wide central difference
      expect(Math.abs(Math.sqrt(scores[c]) - Math.abs(derivative))).toBeLessThan(0.02 * Math.abs(derivative) + 3e-4);
    }
    expect(derivatives[3]).toBeLessThan(derivatives[2]);
  });

  it('gives a zeroed filter a zero score and reuses one gradient pass per proposal', async () => {
    const { model, train } = tinyResnet();
    const original = (await model.getLayer('s1_b0_conv1').getWeights()[0].data()) as Float32Array;
    scaleFilter(model, 's1_b0_conv1', 3, 0, original);
    const logs: string[] = [];
    const ctx = proposeContext(model, train, logs);
    const taylor = await create<ChannelImportance>('criterion', 'taylor');
    const group = ctx.graph.groups.find((g) => g.id === 's1_b0_conv1')!;
    const scores = await taylor.scoreChannels(ctx, group);
    expect(scores[3]).toBe(0);
    expect(Array.from(scores).filter((s) => s > 0).length).toBe(15);
    await taylor.scoreChannels(ctx, ctx.graph.groups.find((g) => g.id === 's1_b1_conv1')!);
    expect(logs).toEqual(['taylor: loss gradients on 40 training images']);
  });
});
