import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlans, buildDependencyGraph, type DependencyGraph } from '../../src/graph/index.js';
import { TINY_MODELS, useCpu } from '../../src/testing/index.js';

beforeAll(useCpu);

const prunableIds = (g: DependencyGraph) =>
  g.groups
    .filter((x) => !x.frozenReason)
    .map((x) => x.id)
    .sort();

class Twice extends tfl.layers.Layer {
  static className = 'Twice';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, 2);
  }
}
tf.serialization.registerClass(Twice);

describe('dependency graph', () => {
  it('ties residual-add channels into one group and finds identity and projection blocks', () => {
    const graph = buildDependencyGraph(TINY_MODELS.residual());
    expect(prunableIds(graph)).toEqual(['b0_conv1', 'b1_conv1', 'b1_proj', 'stem'].sort());
    const stem = graph.groups.find((g) => g.id === 'stem')!;
    expect(stem.producers).toEqual(['stem', 'b0_conv2']);
    expect(stem.residual).toBe(true);
    expect(stem.consumers).toEqual(['b0_conv1', 'b1_conv1', 'b1_proj']);
    expect(stem.passthrough).toEqual(['stem_bn', 'b0_bn2']);
    const stage2 = graph.groups.find((g) => g.id === 'b1_proj')!;
    expect(stage2.producers).toEqual(['b1_proj', 'b1_conv2']);
    expect(stage2.consumers).toEqual(['out']);
    expect(graph.groups.find((g) => g.id === 'out')!.frozenReason).toMatch(/model output/);
    expect(graph.blocks.map((b) => [b.id, b.identity, b.unremovableReason === undefined])).toEqual([
      ['b0_add', true, true],
      ['b1_add', false, false],
    ]);
    expect(graph.blocks[0].branch).toEqual(['b0_conv1', 'b0_bn1', 'b0_relu1', 'b0_conv2', 'b0_bn2']);
    expect(graph.blocks[0].stage).toBe('stem');
    expect(graph.blocks[1].stage).toBe('b1_proj');
  });

  it('maps concatenated channels to their source groups', () => {
    const graph = buildDependencyGraph(TINY_MODELS.concatenate());
    expect(prunableIds(graph)).toEqual(['ca', 'cb', 'cc']);
    expect(graph.groups.find((g) => g.id === 'ca')!.consumers).toEqual(['cc', 'out']);
  });

  it('freezes channels touching an unknown layer class, with a warning naming it', () => {
    const input = tfl.input({ shape: [5], name: 'in' });
    const a = tfl.layers.dense({ units: 6, name: 'a' }).apply(input) as tfl.SymbolicTensor;
    const t = new Twice({ name: 'twice' }).apply(a) as tfl.SymbolicTensor;
    const b = tfl.layers.dense({ units: 4, name: 'b' }).apply(t) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2, name: 'out' }).apply(b) as tfl.SymbolicTensor;
    const graph = buildDependencyGraph(tfl.model({ inputs: input, outputs: out }));
    expect(graph.warnings.join('\n')).toMatch(/layer "twice" \(Twice\): unknown layer class Twice; its channels are kept unpruned/);
    expect(graph.groups.find((g) => g.id === 'a')!.frozenReason).toMatch(/Twice/);
    expect(prunableIds(graph)).toEqual(['b']);
  });

  it('rejects bad plans with messages naming the problem', async () => {
    const model = TINY_MODELS.residual();
    await expect(applyPlans(model, [{ kind: 'remove-channels', group: 'nope', indices: [0] }])).rejects.toThrow(
      /no channel group "nope"[\s\S]*prunable groups: .*stem/,
    );
    await expect(applyPlans(model, [{ kind: 'remove-channels', group: 'b0_conv1', indices: [0, 1, 2] }])).rejects.toMatchObject({ code: 'E_UNPRUNABLE' });
    await expect(applyPlans(model, [{ kind: 'remove-channels', group: 'b0_conv1', indices: [9] }])).rejects.toThrow(/out of range.*3 channels/);
    await expect(applyPlans(model, [{ kind: 'remove-channels', group: 'out', indices: [0] }])).rejects.toThrow(/cannot be pruned: model output/);
    await expect(applyPlans(model, [{ kind: 'remove-block', block: 'b1_add' }])).rejects.toThrow(/projection shortcut/);
  });

  it('shrinks every weight of a pruned group and keeps the rest', async () => {
    const model = TINY_MODELS.residual();
    const pruned = await applyPlans(model, [{ kind: 'remove-channels', group: 'stem', indices: [1] }]);
    const shape = (l: string, i = 0) => pruned.getLayer(l).weights[i].shape;
    expect(shape('stem')).toEqual([3, 3, 3, 3]);
    expect(shape('b0_conv2')).toEqual([3, 3, 3, 3]);
    expect(shape('b0_conv1')).toEqual([3, 3, 3, 3]);
    expect(shape('b1_proj')).toEqual([1, 1, 3, 6]);
    expect(shape('stem_bn')).toEqual([3]);
    expect(shape('b1_conv2')).toEqual([3, 3, 5, 6]);
  });
});
