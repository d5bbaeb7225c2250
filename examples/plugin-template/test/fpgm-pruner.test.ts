import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlans, buildDependencyGraph } from '@omniprune/core/graph';
import type { Pruner } from '@omniprune/plugin-api';
import { medianDistances } from '../src/index.js';
import { create, proposeContext, tinyResnet, useBackend } from './helpers.js';

beforeAll(useBackend);

describe('medianDistances', () => {
  it('sums the Euclidean distances to the other filters', () => {
    expect(
      Array.from(
        medianDistances([
          [0, 0],
          [3, 4],
          [6, 8],
        ]),
      ),
    ).toEqual([15, 10, 15]);
  });
});

describe('fpgm pruner', () => {
  it('removes the filter nearest the geometric median of its layer, and the plan applies', async () => {
    const { model, train } = tinyResnet();
    const kernel = model.getLayer('s1_b0_conv1').getWeights()[0];
    const values = (await kernel.data()) as Float32Array;
    const out = kernel.shape[3]!;
    for (let i = 0; i < values.length; i += out) {
      let mean = 0;
      for (let c = 0; c < out; c++) if (c !== 5) mean += values[i + c] / (out - 1);
      values[i + 5] = mean;
    }
    const tf = (await import('@omniprune/core')).coreServices.tf;
    model.getLayer('s1_b0_conv1').setWeights([tf.tensor(values, kernel.shape), ...model.getLayer('s1_b0_conv1').getWeights().slice(1)]);
    const logs: string[] = [];
    const pruner = await create<Pruner>('pruner', 'fpgm', { ratio: 1 / 16, include: '^s1_b0_conv1$' });
    const candidate = await pruner.propose(proposeContext(model, train, logs));
    expect(candidate?.plans).toEqual([{ kind: 'remove-channels', group: 's1_b0_conv1', indices: [5] }]);
    expect(candidate?.removedUnits).toBe(1);
    expect(logs).toEqual(['fpgm: 1 filters nearest the geometric median in 1 groups']);
    const pruned = await applyPlans(model, candidate!.plans);
    expect(pruned.getLayer('s1_b0_conv1').getWeights()[0].shape).toEqual([3, 3, 16, 15]);
    expect(buildDependencyGraph(pruned).groups.find((g) => g.id === 's1_b0_conv1')?.size).toBe(15);
  });

  it('touches every non-residual group, keeps minChannels, and returns null when nothing is left', async () => {
    const { model, train } = tinyResnet();
    const pruner = await create<Pruner>('pruner', 'fpgm', { ratio: 0.5 });
    const candidate = await pruner.propose(proposeContext(model, train));
    expect(candidate!.plans.length).toBe(9);
    expect(candidate!.plans.every((p) => p.kind === 'remove-channels' && /_conv1$/.test(p.group))).toBe(true);
    const none = await create<Pruner>('pruner', 'fpgm', { minChannels: 64 });
    expect(await none.propose(proposeContext(model, train))).toBeNull();
  });

  it('rejects bad options with the option path', async () => {
    await expect(create('pruner', 'fpgm', { ratio: 1.5 })).rejects.toThrow(/ratio: Too big/);
    // a broken pattern fails when the options are checked, not when the pruner first proposes
    await expect(create('pruner', 'fpgm', { include: 'conv(' })).rejects.toThrow(/include: invalid regular expression/);
  });
});
