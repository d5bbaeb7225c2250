import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlans } from '../../src/graph/apply-plan.js';
import { countCost } from '../../src/metrics/flops.js';
import { freshWeights, resnet } from '../../src/zoo/index.js';
import { useCpu } from '../../src/testing/index.js';

beforeAll(useCpu);

const values = (model: tfl.LayersModel) => model.weights.map((w) => ({ name: w.originalName, shape: w.shape, data: Array.from(w.read().dataSync()) }));

describe('freshWeights', () => {
  it('keeps a pruned architecture (FLOPs, parameters, weight shapes) and draws new weights from the seed', async () => {
    const base = resnet({ depth: 20, inputShape: [8, 8, 1], classes: 3, seed: 1 });
    const pruned = await applyPlans(base, [
      { kind: 'remove-block', block: 's2_b1_add' },
      { kind: 'remove-channels', group: 's1_b0_conv1', indices: [0, 3, 5] },
    ]);
    // train-like change so the pruned weights are not the initial ones
    for (const w of pruned.trainableWeights) w.write(tf.mul(w.read(), 1.5));
    const scratch = await freshWeights(pruned, 7);
    expect(countCost(scratch)).toEqual(countCost(pruned));
    const [p, s, again, other] = [values(pruned), values(scratch), values(await freshWeights(pruned, 7)), values(await freshWeights(pruned, 8))];
    expect(s.map((w) => [w.name, w.shape])).toEqual(p.map((w) => [w.name, w.shape]));
    const kernels = s.filter((w) => w.name.endsWith('/kernel'));
    expect(kernels.length).toBeGreaterThan(10);
    for (const k of kernels) expect(k.data).not.toEqual(p.find((w) => w.name === k.name)!.data);
    expect(again).toEqual(s); // a function of the seed
    expect(other.filter((w) => w.name.endsWith('/kernel'))[0].data).not.toEqual(kernels[0].data);
    // batch norm back to its initial state: scale 1, offset 0, moving mean 0, moving variance 1
    const bn = (suffix: string) => s.find((w) => w.name === `s1_b0_bn1/${suffix}`)!.data;
    expect([bn('gamma'), bn('beta'), bn('moving_mean'), bn('moving_variance')].map((d) => [...new Set(d)])).toEqual([[1], [0], [0], [1]]);
  });

  it('reseeds the Keras defaults of a model it did not build (unseeded Glorot kernels, default names)', async () => {
    const input = tfl.input({ shape: [4] });
    const hidden = tfl.layers.dense({ units: 5, activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 2 }).apply(hidden) as tfl.SymbolicTensor });
    const [a, b] = [values(await freshWeights(model, 3)), values(await freshWeights(model, 3))];
    expect(a).toEqual(b);
    expect(a[0].data).not.toEqual(values(model)[0].data);
  });
});
