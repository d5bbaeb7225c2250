import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  LAYER_ADAPTERS,
  adapterFor,
  applyPlans,
  batchNormOf,
  batchNormsOf,
  buildDependencyGraph,
  bypassBlock,
  groupChannels,
  headAdapter,
  layerAdapter,
  maskChannels,
  producersOf,
  type ProducerAdapter,
} from '../../src/graph/index.js';
import { countCost } from '../../src/metrics/flops.js';
import { vit } from '../../src/zoo/index.js';
import { TINY_MODELS, expectClose, predictValues, randomizeWeights, useCpu } from '../../src/testing/index.js';

beforeAll(useCpu);

type S = tfl.SymbolicTensor;
const shapes = (model: tfl.LayersModel, layer: string): number[][] => model.getLayer(layer).weights.map((w) => w.shape as number[]);

/** Stem conv, then a residual block whose branch is two separable convolutions (the last one ends the branch). */
function separableResidual(): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 6, 2], name: 'in' });
  const stem = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'stem' }).apply(input) as S;
  let y = tfl.layers.separableConv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'b_sep1' }).apply(stem) as S;
  y = tfl.layers.separableConv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'b_sep2' }).apply(y) as S;
  const add = tfl.layers.add({ name: 'b_add' }).apply([stem, y]) as S;
  const g = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(add) as S;
  const out = tfl.layers.dense({ units: 2, name: 'out' }).apply(g) as S;
  return tfl.model({ inputs: input, outputs: out, name: 'separable_residual' });
}

describe('SeparableConv2D through the layer table', () => {
  it('is a producer whose input channels are read by both kernels', () => {
    const graph = buildDependencyGraph(TINY_MODELS.separable());
    expect(graph.warnings).toEqual([]);
    expect(
      graph.groups
        .filter((g) => !g.frozenReason)
        .map((g) => g.id)
        .sort(),
    ).toEqual(['c1', 'sep1', 'sep2']);
    const sep1 = graph.groups.find((g) => g.id === 'sep1')!;
    expect(sep1.producers).toEqual(['sep1']);
    expect(sep1.consumers).toEqual(['sep2']);
    expect(sep1.passthrough).toEqual(['bn_sep1']);
    expect(graph.groups.find((g) => g.id === 'c1')!.consumers).toEqual(['sep1']);
  });

  it('removing its filters or its inputs slices depthwise, pointwise and bias', async () => {
    const model = TINY_MODELS.separable();
    const outputs = await applyPlans(model, [{ kind: 'remove-channels', group: 'sep1', indices: [1, 3] }]);
    expect(shapes(outputs, 'sep1')).toEqual([[3, 3, 6, 1], [1, 1, 6, 3], [3]]);
    expect(shapes(outputs, 'bn_sep1')).toEqual([[3], [3], [3], [3]]);
    expect(shapes(outputs, 'sep2')).toEqual([
      [3, 3, 3, 1],
      [1, 1, 3, 4],
    ]);
    const inputs = await applyPlans(model, [{ kind: 'remove-channels', group: 'c1', indices: [0, 5] }]);
    expect(shapes(inputs, 'sep1')).toEqual([[3, 3, 4, 1], [1, 1, 4, 5], [5]]);
    expect((inputs.getLayer('sep1').getConfig() as { filters: number }).filters).toBe(5);
    outputs.dispose();
    inputs.dispose();
  });

  it('counts depthwise + pointwise MACs (by hand), also after pruning', async () => {
    const model = TINY_MODELS.separable();
    const cost = countCost(model);
    const of = (name: string) => cost.layers.find((l) => l.name === name)!;
    // sep1: 7x7 positions, 3x3 kernel, 6 inputs -> 5 filters; sep2: stride 2 -> 4x4 positions, 5 inputs -> 4 filters
    expect(of('sep1').flopsSplit).toEqual({ inOnly: 49 * 9 * 6, inOut: 49 * 6 * 5 });
    expect(of('sep2').flopsSplit).toEqual({ inOnly: 16 * 9 * 5, inOut: 16 * 5 * 4 });
    expect(of('sep1').flops).toBe(2646 + 1470);
    expect(of('c1').flops).toBe(49 * 9 * 3 * 6);
    expect(cost.flops).toBe(7938 + 4116 + 1040 + 4 * 3);
    const pruned = await applyPlans(model, [{ kind: 'remove-channels', group: 'sep1', indices: [1, 3] }]);
    // sep1 keeps its depthwise MACs, pointwise 49x6x3; sep2 reads 3 channels: 16x9x3 + 16x3x4
    expect(countCost(pruned).flops).toBe(7938 + 2646 + 882 + 432 + 192 + 12);
    pruned.dispose();
  });

  it('removing a block whose branch ends in a separable conv equals bypassing it; removing channels equals masking', async () => {
    const model = separableResidual();
    randomizeWeights(model, 3);
    const graph = buildDependencyGraph(model);
    const x = tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 4);
    const removed = await applyPlans(model, [{ kind: 'remove-block', block: 'b_add' }]);
    const restore = bypassBlock(model, graph, 'b_add');
    expectClose(predictValues(removed, x), predictValues(model, x));
    restore();
    for (const [group, indices] of [
      ['stem', [0, 2]],
      ['b_sep1', [1]],
    ] as const) {
      const pruned = await applyPlans(model, [{ kind: 'remove-channels', group, indices: [...indices] }]);
      const undo = maskChannels(model, graph, group, indices);
      expectClose(predictValues(pruned, x), predictValues(model, x));
      undo();
      pruned.dispose();
    }
    x.dispose();
    removed.dispose();
  });

  it('a depth multiplier other than 1 keeps its channels, with a warning naming it', () => {
    const input = tfl.input({ shape: [5, 5, 2], name: 'in' });
    const c = tfl.layers.conv2d({ filters: 3, kernelSize: 1, name: 'c' }).apply(input) as S;
    const s = tfl.layers.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2, name: 'sep' }).apply(c) as S;
    const out = tfl.layers.dense({ units: 2, name: 'out' }).apply(tfl.layers.flatten({ name: 'flat' }).apply(s) as S) as S;
    const model = tfl.model({ inputs: input, outputs: out });
    const graph = buildDependencyGraph(model);
    expect(graph.warnings.join('\n')).toMatch(/layer "sep" \(SeparableConv2D\): depth_multiplier 2 \(only 1 is supported\)/);
    expect(graph.groups.find((g) => g.id === 'c')!.frozenReason).toMatch(/depth_multiplier/);
    // 3x3 output positions: depthwise 9 x 9 x 3 x 2, pointwise 9 x 6 x 4
    expect(countCost(model).layers.find((l) => l.name === 'sep')!.flopsSplit).toEqual({ inOnly: 9 * 9 * 3 * 2, inOut: 9 * 6 * 4 });
  });
});

describe('the layer table and its queries', () => {
  it('answers per-layer questions without class names', () => {
    const graph = buildDependencyGraph(TINY_MODELS.separable());
    expect(layerAdapter(graph, 'sep1')?.role).toBe('producer');
    expect(layerAdapter(graph, 'gap')?.role).toBe('passthrough');
    const sep1 = graph.groups.find((g) => g.id === 'sep1')!;
    expect(producersOf(graph, sep1).map((p) => [p.layer, p.adapter.sizeKey])).toEqual([['sep1', 'filters']]);
    expect(batchNormOf(graph, 'c1')).toBe('bn1');
    expect(batchNormOf(graph, 'sep1')).toBe('bn_sep1');
    expect(batchNormOf(graph, 'sep2')).toBeUndefined();
    expect(batchNormsOf(graph, sep1).map((b) => [b.layer, b.scale, [...b.channels]])).toEqual([['bn_sep1', 'gamma', [0, 1, 2, 3, 4]]]);
  });

  it('maps concatenated positions back to each group', () => {
    const graph = buildDependencyGraph(TINY_MODELS.concatenate());
    const cat = graph.layers.get('cat')!.outLayout;
    expect([...groupChannels(graph.groups.find((g) => g.id === 'ca')!, cat)]).toEqual([0, 1, 2, -1, -1, -1, -1]);
    expect([...groupChannels(graph.groups.find((g) => g.id === 'cb')!, cat)]).toEqual([-1, -1, -1, 0, 1, 2, 3]);
  });

  it('knows attention heads and the classifier tail', () => {
    const graph = buildDependencyGraph(vit({ inputShape: [8, 8, 1], classes: 3, patchSize: 4, dim: 8, depth: 1, numHeads: 2, mlpDim: 8, seed: 1 }));
    expect(headAdapter(graph, 't0_attn')?.shape(graph.layers.get('t0_attn')!.config)).toEqual({ numHeads: 2, headDim: 4 });
    expect(headAdapter(graph, 't0_ln1')).toBeUndefined();
    expect(adapterFor('Dropout', {})?.classifierTail).toBe(true);
    expect(adapterFor('Activation', { activation: 'softmax' })?.couplesChannels).toBe(true);
    expect(adapterFor('NoSuchLayer', {})).toBeUndefined();
  });

  it('every producer names its size key and slices a weight along its output', () => {
    for (const [cls, adapter] of Object.entries(LAYER_ADAPTERS)) {
      if (adapter.role !== 'producer') continue;
      expect(
        Object.values(adapter.weights).some((axes) => axes.out !== undefined),
        cls,
      ).toBe(true);
      expect(adapter.sizeKey, cls).toMatch(/^(filters|units)$/);
    }
  });

  it('a producer entry without FLOPs or bypass weights does not compile', () => {
    // @ts-expect-error a producer must say how its MACs count and which weights zero its output
    const missing: ProducerAdapter = { role: 'producer', sizeKey: 'filters', weights: { kernel: { in: 2, out: 3 } } };
    expect(missing.role).toBe('producer');
  });
});
