import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDependencyGraph, maskPlan } from '@omniprune/core/graph';
import { buildZooModel } from '@omniprune/core/zoo';
import type { ImageDataset } from '@omniprune/core/data';
import type { PrunePlan } from '@omniprune/plugin-api';
import { createOnnxRunner, predictLogitsOnOnnx, readMaskedOnOnnx } from '../src/index.js';
import { syntheticDataset, useWasm } from '@omniprune/core/testing';
import { perturbNorms } from './onnx-helpers.js';

beforeAll(useWasm);

/** `count` random images of `shape`, all labelled 0 (of 10 classes). */
function images(shape: [number, number, number], count: number): ImageDataset {
  return syntheticDataset({ count, shape, classes: 10, seed: 5, label: () => 0, name: 'random' });
}

const weightsOf = (model: tfl.LayersModel) => model.weights.map((w) => Array.from(w.read().dataSync()));

describe('readMaskedOnOnnx: every mask in one session', () => {
  it.each([
    ['resnet20', [16, 16, 3], ['logits', 'gap']],
    ['vit', [28, 28, 1], ['logits']],
  ] as const)('%s: the same readouts as masking, exporting and running each mask in its own session', async (zoo, shape, readouts) => {
    const model = buildZooModel(zoo, {
      inputShape: [...shape],
      classes: 10,
      seed: 3,
      ...(zoo === 'vit' ? { patchSize: 7, dim: 32, depth: 2, numHeads: 4, mlpDim: 48 } : {}),
    });
    perturbNorms(model, 2);
    const graph = buildDependencyGraph(model);
    const plans: PrunePlan[] =
      zoo === 'resnet20'
        ? [
            { kind: 'remove-block', block: 's1_b1_add' },
            { kind: 'remove-block', block: 's3_b2_add' },
            { kind: 'remove-channels', group: 's2_b1_conv1', indices: [0, 3] },
          ]
        : [
            { kind: 'remove-heads', layer: 't1_attn', heads: [1] },
            { kind: 'remove-channels', group: 't0_mlp_fc1', indices: [2, 7] },
          ];
    const ds = images([...shape] as [number, number, number], 12);
    const before = weightsOf(model);
    for (const readout of readouts) {
      const spec = readout === 'logits' ? ({ kind: 'logits' } as const) : ({ kind: 'features', layer: readout } as const);
      const together = await readMaskedOnOnnx(
        model,
        plans.map((p) => () => maskPlan(model, graph, p)),
        spec,
        ds,
      );
      expect(together).toHaveLength(plans.length);
      for (const [i, plan] of plans.entries()) {
        const restore = maskPlan(model, graph, plan);
        let alone: Float32Array;
        try {
          if (spec.kind === 'logits') alone = await predictLogitsOnOnnx(model, ds);
          else {
            const runner = await createOnnxRunner(model, { extraOutputs: [spec.layer] });
            alone = (await runner.run(ds)).get(`out:${spec.layer}`)!;
            await runner.dispose();
          }
        } finally {
          restore();
        }
        expect(together[i].rows).toBe(12);
        expect(together[i].data.length).toBe(alone.length);
        let worst = 0;
        for (let j = 0; j < alone.length; j++) worst = Math.max(worst, Math.abs(together[i].data[j] - alone[j]));
        expect(worst, `${readout} mask ${i}`).toBeLessThan(1e-4);
      }
      // the masks really change the readout (else the comparison above proves nothing)
      const unmasked = spec.kind === 'logits' ? await predictLogitsOnOnnx(model, ds) : null;
      if (unmasked) expect(together.every((f) => f.data.some((v, j) => Math.abs(v - unmasked[j]) > 1e-4))).toBe(true);
    }
    expect(weightsOf(model)).toEqual(before); // every mask undone
  });
});
