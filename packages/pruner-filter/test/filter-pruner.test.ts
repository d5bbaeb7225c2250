import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlans, buildDependencyGraph, maskChannels } from '@omniprune/core/graph';
import { buildZooModel } from '@omniprune/core/zoo';
import { countCost } from '@omniprune/core/metrics';
import { createPlugin, createPluginContainer, registerPlugin, testPluginContext } from '@omniprune/core';
import { createRng } from '@omniprune/core/util';
import type { ChannelImportance, PruneCandidate, Pruner, RemoveChannelsPlan } from '@omniprune/plugin-api';
import { allocateBudget, filterPruner, flopsEstimator, l1ChannelScores, plugin, plugins, prunableGroups } from '../src/index.js';
import { expectNoLeaks, proposeContext, randomImages, separable, syntheticDataset, useCpu } from '@omniprune/core/testing';
import { layerCandidate, readWeight, resnet20, setWeight } from './helpers.js';

beforeAll(useCpu);

const quiet = testPluginContext();
const CONV1 = /^s\d_b\d_conv1$/;

async function pruner(options: unknown): Promise<Pruner> {
  return filterPruner.create(filterPruner.options.parse({ roundTo: 1, ...(options as object) }), quiet);
}

const channelPlans = (c: PruneCandidate): RemoveChannelsPlan[] => c.plans as RemoveChannelsPlan[];

describe('budget', () => {
  it("match-layer removes exactly the layer candidate's units across the *_conv1 groups, in proportion", async () => {
    const ctx = proposeContext(resnet20(), { earlier: [layerCandidate(24)] });
    const c = (await (await pruner({})).propose(ctx))!;
    expect(c.kind).toBe('filter');
    expect(c.pruner).toBe('filter');
    expect(c.removedUnits).toBe(24);
    expect(c.summary).toBe('remove 24 filters from 9 groups (l1)');
    const plans = channelPlans(c);
    expect(plans.every((p) => p.kind === 'remove-channels' && CONV1.test(p.group))).toBe(true);
    expect(plans.reduce((s, p) => s + p.indices.length, 0)).toBe(24);
    const sizes = new Map(ctx.graph.groups.map((g) => [g.id, g.size]));
    for (const p of plans) {
      const size = sizes.get(p.group)!;
      expect(p.indices.length).toBe(Math.round((24 / 336) * size)); // 1, 2 or 5: the rounding adds up exactly
      expect(size - p.indices.length).toBeGreaterThanOrEqual(1);
      expect(p.indices).toEqual([...p.indices].sort((a, b) => a - b));
    }
  });

  it('tops up at random groups when the rounding falls short', async () => {
    const ctx = proposeContext(resnet20(), { earlier: [layerCandidate(25)] });
    const c = (await (await pruner({ budget: { type: 'match-layer' } })).propose(ctx))!;
    expect(c.removedUnits).toBe(25);
    expect(channelPlans(c).reduce((s, p) => s + p.indices.length, 0)).toBe(25);
  });

  it('match-layer without a layer candidate falls back to fallbackRatio and says so', async () => {
    const logs: string[] = [];
    const c = (await (await pruner({ budget: { type: 'match-layer', fallbackRatio: 0.1 } })).propose(proposeContext(resnet20(), { logs })))!;
    expect(c.removedUnits).toBe(34);
    expect(logs.join('\n')).toMatch(/no layer candidate/);
  });

  it('ratio removes a share of the prunable units', async () => {
    const c = (await (await pruner({ budget: { type: 'ratio', ratio: 0.25 } })).propose(proposeContext(resnet20())))!;
    expect(c.removedUnits).toBe(84);
    expect(channelPlans(c).map((p) => p.indices.length)).toEqual([4, 4, 4, 8, 8, 8, 16, 16, 16]);
  });

  it('flops removes the fewest units that cut the FLOPs by the fraction; the estimate is exact', async () => {
    const ctx = proposeContext(resnet20());
    const c = (await (await pruner({ budget: { type: 'flops', fraction: 0.1 } })).propose(ctx))!;
    const parentFlops = countCost(ctx.parent).flops;
    const pruned = await applyPlans(ctx.parent, c.plans);
    const cut = 1 - countCost(pruned).flops / parentFlops;
    expect(cut).toBeGreaterThanOrEqual(0.1);
    expect(cut).toBeLessThan(0.11);
    const groups = prunableGroups(ctx.graph, { residual: false, minChannels: 1 });
    const removed = groups.map((g) => channelPlans(c).find((p) => p.group === g.id)?.indices.length ?? 0);
    const estimator = flopsEstimator(ctx.parent, ctx.graph, groups);
    expect(estimator.flopsAfter(removed)).toBe(countCost(pruned).flops);
    // one unit fewer (same draws: l1 does not use the rng) would miss the target
    const slots = groups.map((g) => ({ size: g.size, maxRemovable: g.size - 1 }));
    const fewer = allocateBudget(slots, c.removedUnits - 1, createRng(1));
    expect(1 - estimator.flopsAfter(fewer) / parentFlops).toBeLessThan(0.1);
    pruned.dispose();
  });

  it('flops estimates are exact for residual groups too', async () => {
    const ctx = proposeContext(resnet20());
    const c = (await (await pruner({ residual: true, budget: { type: 'flops', fraction: 0.3 } })).propose(ctx))!;
    const groups = prunableGroups(ctx.graph, { residual: true, minChannels: 1 });
    const removed = groups.map((g) => channelPlans(c).find((p) => p.group === g.id)?.indices.length ?? 0);
    const pruned = await applyPlans(ctx.parent, c.plans);
    expect(flopsEstimator(ctx.parent, ctx.graph, groups).flopsAfter(removed)).toBe(countCost(pruned).flops);
    expect(1 - countCost(pruned).flops / countCost(ctx.parent).flops).toBeGreaterThanOrEqual(0.3);
    pruned.dispose();
  });

  it('flops estimates are exact for separable convolutions (depthwise MACs follow the inputs only)', async () => {
    const parent = separable();
    const graph = buildDependencyGraph(parent);
    const groups = prunableGroups(graph, { residual: false, minChannels: 1 });
    expect(groups.map((g) => g.id).sort()).toEqual(['c1', 'sep1', 'sep2']);
    const removed = groups.map((g) => (g.id === 'sep2' ? 1 : 2));
    const pruned = await applyPlans(
      parent,
      groups.map((g, i) => ({ kind: 'remove-channels' as const, group: g.id, indices: Array.from({ length: removed[i] }, (_, j) => j) })),
    );
    expect(flopsEstimator(parent, graph, groups).flopsAfter(removed)).toBe(countCost(pruned).flops);
    pruned.dispose();
  });

  it('caps a budget above what can be removed, keeps minChannels, and logs it', async () => {
    const logs: string[] = [];
    const ctx = proposeContext(resnet20(), { logs, earlier: [layerCandidate(1000)] });
    const c = (await (await pruner({ minChannels: 4 })).propose(ctx))!;
    expect(c.removedUnits).toBe(336 - 9 * 4);
    for (const p of channelPlans(c)) expect(ctx.graph.groups.find((g) => g.id === p.group)!.size - p.indices.length).toBe(4);
    expect(logs.join('\n')).toMatch(/exceeds the 300 removable/);
    const flopsLogs: string[] = [];
    const all = (await (await pruner({ budget: { type: 'flops', fraction: 0.99 } })).propose(proposeContext(resnet20(), { logs: flopsLogs })))!;
    expect(all.removedUnits).toBe(336 - 9);
    expect(flopsLogs.join('\n')).toMatch(/out of reach/);
  });

  it('returns null when nothing can be removed', async () => {
    const logs: string[] = [];
    const ctx = proposeContext(resnet20(), { logs });
    expect(await (await pruner({ include: '^nothing$' })).propose(ctx)).toBeNull();
    expect(await (await pruner({ minChannels: 64 })).propose(ctx)).toBeNull();
    expect(await (await pruner({ budget: { type: 'match-layer', fallbackRatio: 0 } })).propose(ctx)).toBeNull();
    expect(await (await pruner({})).propose(proposeContext(resnet20(), { earlier: [layerCandidate(0)] }))).toBeNull();
    expect(logs.length).toBeGreaterThanOrEqual(3);
  });
});

describe('groups', () => {
  it('residual: false never touches residual groups; residual: true can', async () => {
    const ctx = proposeContext(resnet20());
    const residualIds = new Set(ctx.graph.groups.filter((g) => g.residual).map((g) => g.id));
    expect(residualIds).toEqual(new Set(['stem_conv', 's2_b0_proj_conv', 's3_b0_proj_conv']));
    const off = (await (await pruner({ budget: { type: 'ratio', ratio: 0.3 } })).propose(ctx))!;
    expect(channelPlans(off).some((p) => residualIds.has(p.group))).toBe(false);
    const on = (await (await pruner({ residual: true, budget: { type: 'ratio', ratio: 0.3 } })).propose(proposeContext(resnet20())))!;
    const touched = channelPlans(on).filter((p) => residualIds.has(p.group));
    expect(touched.map((p) => p.group)).toEqual(['stem_conv', 's2_b0_proj_conv', 's3_b0_proj_conv']);
    const pruned = await applyPlans(ctx.parent, on.plans);
    const stem = buildDependencyGraph(pruned).groups.find((g) => g.id === 'stem_conv')!;
    expect(stem.size).toBe(16 - touched[0].indices.length);
    pruned.dispose();
  });

  it('include / exclude filter group ids', async () => {
    const ctx = proposeContext(resnet20());
    const only = (await (await pruner({ include: '^s2_', budget: { type: 'ratio', ratio: 0.5 } })).propose(ctx))!;
    expect(channelPlans(only).map((p) => p.group)).toEqual(['s2_b0_conv1', 's2_b1_conv1', 's2_b2_conv1']);
    const without = (await (await pruner({ exclude: '^s3_', budget: { type: 'ratio', ratio: 0.5 } })).propose(ctx))!;
    expect(channelPlans(without).some((p) => p.group.startsWith('s3_'))).toBe(false);
  });

  it('skips LayerNorm-coupled (inexact) groups unless residual: true', () => {
    const vit = buildZooModel('vit', { inputShape: [16, 16, 3], classes: 4, seed: 1 });
    const graph = buildDependencyGraph(vit);
    const ids = (residual: boolean) => prunableGroups(graph, { residual, minChannels: 1 }).map((g) => g.id);
    expect(ids(false)).toEqual(['t0_mlp_fc1', 't1_mlp_fc1', 't2_mlp_fc1', 't3_mlp_fc1']);
    expect(ids(true)).toContain('patch_embed');
    vit.dispose();
  });

  it('names neurons for dense groups', async () => {
    const vit = buildZooModel('vit', { inputShape: [16, 16, 3], classes: 4, seed: 1 });
    const c = (await (await pruner({ budget: { type: 'ratio', ratio: 0.25 } })).propose(proposeContext(vit)))!;
    expect(c.summary).toBe('remove 128 neurons from 4 groups (l1)');
    vit.dispose();
  });
});

describe('candidate', () => {
  it('removes the lowest-scoring channels of each group', async () => {
    const ctx = proposeContext(resnet20(4), { earlier: [layerCandidate(40)] });
    const c = (await (await pruner({ criterion: 'l1' })).propose(ctx))!;
    for (const p of channelPlans(c)) {
      const scores = Array.from(await l1ChannelScores(ctx.parent, ctx.graph, ctx.graph.groups.find((g) => g.id === p.group)!));
      const worstKept = Math.min(...scores.filter((_, i) => !p.indices.includes(i)));
      expect(Math.max(...p.indices.map((i) => scores[i]))).toBeLessThanOrEqual(worstKept);
    }
  });

  it('its plans apply: parameters drop by the removed filters, BN entries and next-conv inputs', async () => {
    const ctx = proposeContext(resnet20(5), { earlier: [layerCandidate(24)] });
    const c = (await (await pruner({})).propose(ctx))!;
    const pruned = await applyPlans(ctx.parent, c.plans);
    let expected = 0;
    for (const p of channelPlans(c)) {
      const block = p.group.replace(/_conv1$/, '');
      const k1 = readWeight(ctx.parent, `${block}_conv1`, 'kernel').shape;
      const k2 = readWeight(ctx.parent, `${block}_conv2`, 'kernel').shape;
      const bnParams = ctx.parent.getLayer(`${block}_bn1`).countParams() / k1[3];
      const biasParams = (ctx.parent.getLayer(`${block}_conv1`).countParams() - k1.reduce((a, b) => a * b, 1)) / k1[3];
      const perChannel = k1[0] * k1[1] * k1[2] + biasParams + bnParams + k2[0] * k2[1] * k2[3];
      expected += perChannel * p.indices.length;
      expect(pruned.getLayer(`${block}_conv1`).outputShape.at(-1)).toBe(k1[3] - p.indices.length);
    }
    expect(countCost(ctx.parent).params - countCost(pruned).params).toBe(expected);
    // the pruned model computes what the parent computes with those channels masked
    const x = tf.tensor(randomImages([4, 16, 16, 3], 9), [4, 16, 16, 3]);
    const restores = channelPlans(c).map((p) => maskChannels(ctx.parent, ctx.graph, p.group, p.indices));
    const masked = tf.tidy(() => (ctx.parent.predict(x) as tf.Tensor).dataSync());
    restores.reverse().forEach((r) => r());
    const out = tf.tidy(() => (pruned.predict(x) as tf.Tensor).dataSync());
    out.forEach((v, i) => expect(v).toBeCloseTo(masked[i], 4));
    x.dispose();
    pruned.dispose();
  });

  it('is deterministic for the same rng seed', async () => {
    const run = async (seed: number) => {
      const p = await pruner({ criterion: 'random', budget: { type: 'ratio', ratio: 0.07 } });
      return (await p.propose(proposeContext(resnet20(), { seed })))!.plans;
    };
    expect(await run(11)).toEqual(await run(11));
    expect(await run(11)).not.toEqual(await run(12));
  });

  it('kl removes the channel whose consumers ignore it, and leaks no tensors', async () => {
    const parent = resnet20(6);
    const { values, shape } = readWeight(parent, 's1_b0_conv2', 'kernel');
    setWeight(
      parent,
      's1_b0_conv2',
      'kernel',
      values.map((v, i) => (Math.floor(i / shape[3]) % shape[2] === 7 ? 0 : v)),
    );
    const ctx = proposeContext(parent, { train: syntheticDataset({ count: 24, shape: [16, 16, 3], classes: 4, seed: 6 }) });
    const p = await pruner({ criterion: 'kl', criterionOptions: { samplesPerClass: 2 }, include: '^s1_b0_conv1$', budget: { type: 'ratio', ratio: 0.07 } });
    const c = (await expectNoLeaks(() => p.propose(ctx)))!;
    expect(c.plans).toEqual([{ kind: 'remove-channels', group: 's1_b0_conv1', indices: [7] }]);
    expect(c.summary).toBe('remove 1 filter from 1 group (kl)');
  });

  it('leaks no tensors with weight criteria and flops budgets', async () => {
    const ctx = proposeContext(resnet20());
    for (const options of [{ criterion: 'l1' }, { criterion: 'bn-scale', residual: true }, { criterion: 'l2', budget: { type: 'flops', fraction: 0.2 } }]) {
      const p = await pruner({ ...options });
      await expectNoLeaks(() => p.propose({ ...ctx, earlier: [layerCandidate(30)] }));
    }
  });
});

describe('options and plugin wiring', () => {
  it('has documented defaults', () => {
    expect(filterPruner.options.parse({})).toEqual({
      criterion: 'l1',
      criterionOptions: {},
      budget: { type: 'match-layer', fallbackRatio: 0.05, allocation: 'proportional' },
      residual: false,
      minChannels: 1,
      roundTo: 8,
    });
    expect(plugin).toBe(filterPruner);
    expect(plugins.map((p) => `${p.kind}:${p.name}`)).toEqual([
      'pruner:filter',
      'criterion:l1',
      'criterion:l2',
      'criterion:bn-scale',
      'criterion:kl',
      'criterion:random',
    ]);
  });

  it('rejects bad options with the exact path', () => {
    const issue = (options: unknown) => {
      const r = filterPruner.options.safeParse(options);
      expect(r.success).toBe(false);
      return r.error!.issues[0];
    };
    expect(issue({ budget: { type: 'ratio', ratio: 1.5 } }).path).toEqual(['budget', 'ratio']);
    expect(issue({ budget: { type: 'flops' } }).path).toEqual(['budget', 'fraction']);
    expect(issue({ budget: { type: 'blocks' } }).path).toEqual(['budget', 'type']);
    expect(issue({ budget: { type: 'match-layer', fallbackRatio: -1 } }).path).toEqual(['budget', 'fallbackRatio']);
    expect(issue({ minChannels: 0 }).path).toEqual(['minChannels']);
    expect(issue({ include: '(' }).message).toMatch(/invalid regular expression/);
    expect(issue({ residual: 'yes' }).path).toEqual(['residual']);
    expect(issue({ ratio: 0.1 }).code).toBe('unrecognized_keys');
  });

  it('names unknown criteria and bad criterion options', async () => {
    await expect(pruner({ criterion: 'taylor' })).rejects.toMatchObject({
      code: 'E_UNKNOWN_PLUGIN',
      message: expect.stringMatching(/unknown channel-importance criterion "taylor"[\s\S]*l1, l2, bn-scale, kl, random/),
    });
    await expect(pruner({ criterion: 'kl', criterionOptions: { samplesPerClass: 0 } })).rejects.toMatchObject({
      code: 'E_SCHEMA',
      message: expect.stringMatching(/criterionOptions\.samplesPerClass/),
    });
  });

  it('creates its criterion through ctx.create and checks its role', async () => {
    const custom: ChannelImportance = {
      role: 'channel-importance',
      name: 'custom',
      scoreChannels: async (_ctx, g) => Float32Array.from({ length: g.size }, (_, i) => -i),
    };
    const asked: unknown[] = [];
    const create = async <T>(kind: string, name: string, options?: unknown): Promise<T> => {
      asked.push([kind, name, options]);
      return (name === 'custom' ? custom : { role: 'similarity', name }) as T;
    };
    const p = await filterPruner.create(
      filterPruner.options.parse({
        criterion: 'custom',
        criterionOptions: { a: 1 },
        include: '^s1_b0_conv1$',
        budget: { type: 'ratio', ratio: 0.2 },
        roundTo: 1,
      }),
      { ...quiet, create },
    );
    expect(asked).toEqual([['criterion', 'custom', { a: 1 }]]);
    const c = (await p.propose(proposeContext(resnet20())))!;
    expect(c.plans).toEqual([{ kind: 'remove-channels', group: 's1_b0_conv1', indices: [13, 14, 15] }]);
    await expect(filterPruner.create(filterPruner.options.parse({ criterion: 'linear-cka' }), { ...quiet, create })).rejects.toMatchObject({
      code: 'E_BAD_INPUT',
    });
  });

  it('works from a plugin container', async () => {
    const container = createPluginContainer();
    for (const p of plugins) registerPlugin(container, p, '@omniprune/pruner-filter');
    const p = await createPlugin<Pruner>(container, 'pruner', 'filter', { criterion: 'bn-scale', budget: { type: 'ratio', ratio: 0.1 } }, quiet);
    // ratio 0.1 of 336 asks 34; with the default roundTo 8 the widths 16/32/64 keep multiples of 8: 8 from s3_b0 and
    // s3_b1's share rounds to 8 each (24), then one s2 group gives 8 more (32, the closest whole multiples get)
    const c = (await p.propose(proposeContext(resnet20())))!;
    expect(c.summary).toBe('remove 32 filters from 4 groups (bn-scale, widths multiples of 8)');
    await expect(createPlugin(container, 'pruner', 'filter', { criterion: 'kl', criterionOptions: { batchSize: 0 } }, quiet)).rejects.toThrow(/batchSize/);
  });
});
