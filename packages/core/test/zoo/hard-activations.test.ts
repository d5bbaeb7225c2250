import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlans, buildDependencyGraph } from '../../src/graph/index.js';
import { HardSigmoid, HardSwish, registerZooLayers } from '../../src/zoo/index.js';
import { expectNoLeaks, useCpu } from '../../src/testing/index.js';

beforeAll(useCpu);

const xs = [-4, -3, -1, -0.5, 0, 0.5, 1, 3, 4];

function values(layer: tfl.layers.Layer, input: number[]): number[] {
  return tf.tidy(() => Array.from((layer.apply(tf.tensor1d(input)) as tf.Tensor).dataSync()));
}

describe('HardSigmoid and HardSwish (layers of imported ONNX models)', () => {
  it('compute ONNX HardSigmoid(alpha, beta) and HardSwish', async () => {
    await expectNoLeaks(() => {
      const torch = values(new HardSigmoid({ name: 'hs' }), xs);
      xs.forEach((x, i) => expect(torch[i]).toBeCloseTo(Math.min(1, Math.max(0, x / 6 + 0.5)), 6));
      const onnx = values(new HardSigmoid({ name: 'hs2', alpha: 0.2, beta: 0.4 }), xs);
      xs.forEach((x, i) => expect(onnx[i]).toBeCloseTo(Math.min(1, Math.max(0, 0.2 * x + 0.4)), 6));
      const swish = values(new HardSwish({ name: 'hw' }), xs);
      xs.forEach((x, i) => expect(swish[i]).toBeCloseTo((x * Math.min(6, Math.max(0, x + 3))) / 6, 6));
    });
  });

  it('have gradients (fine-tuning runs through them)', () => {
    const grads = tf.tidy(() => {
      const layer = new HardSwish({ name: 'g' });
      const gs = tf.grad((x: tf.Tensor) => tf.sum(layer.apply(x) as tf.Tensor))(tf.tensor1d([-4, 0, 1, 4]));
      const hs = new HardSigmoid({ name: 'g2' });
      const gh = tf.grad((x: tf.Tensor) => tf.sum(hs.apply(x) as tf.Tensor))(tf.tensor1d([-4, 0, 4]));
      return [Array.from(gs.dataSync()), Array.from(gh.dataSync())];
    });
    [0, 0.5, (2 * 1 + 3) / 6, 1].forEach((g, i) => expect(grads[0][i]).toBeCloseTo(g, 5));
    [0, 1 / 6, 0].forEach((g, i) => expect(grads[1][i]).toBeCloseTo(g, 5));
  });

  it('serialise with their config, and channels pass through them when pruning', async () => {
    registerZooLayers();
    const input = tfl.input({ shape: [4, 4, 2], name: 'in' });
    const conv = tfl.layers.conv2d({ name: 'conv', filters: 3, kernelSize: 1 }).apply(input) as tfl.SymbolicTensor;
    const act = new HardSwish({ name: 'act' }).apply(conv) as tfl.SymbolicTensor;
    const gate = new HardSigmoid({ name: 'gate', alpha: 0.25, beta: 0.5 }).apply(act) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten({ name: 'flat' }).apply(gate) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: tfl.layers.dense({ name: 'out', units: 2 }).apply(flat) as tfl.SymbolicTensor });
    const copy = await tfl.models.modelFromJSON({ modelTopology: JSON.parse(model.toJSON() as string) });
    expect((copy.getLayer('gate') as HardSigmoid).alpha).toBe(0.25);
    expect(copy.getLayer('act')).toBeInstanceOf(HardSwish);
    const graph = buildDependencyGraph(model);
    expect(graph.warnings).toEqual([]);
    expect(graph.groups.find((g) => g.id === 'conv')!.frozenReason).toBeUndefined();
    const pruned = await applyPlans(model, [{ kind: 'remove-channels', group: 'conv', indices: [1] }]);
    expect(pruned.getLayer('out').weights[0].shape).toEqual([32, 2]);
    for (const m of [model, copy, pruned]) m.dispose();
  });
});
