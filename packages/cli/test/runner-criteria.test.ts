import { beforeAll, describe, expect, it } from 'vitest';
import { attentionLayers } from '@omniprune/core/graph';
import { buildZooModel, vit } from '@omniprune/core/zoo';
import { coreServices, initBackend } from '@omniprune/core';
import type { InferenceRunner } from '@omniprune/core/prune';
import type { ProposeContext } from '@omniprune/plugin-api';
import { proposeContext, syntheticDataset } from '@omniprune/core/testing';
import { onnxInferenceRunner } from '@omniprune/onnx';
import { ckaDropScores, klBlockScores } from '@omniprune/pruner-layer';
import { klChannelScores } from '@omniprune/pruner-filter';
import { headCkaDropScores, headOutputScores } from '@omniprune/pruner-head';

beforeAll(async () => {
  await initBackend('cpu');
});

/** Scores equal within 1e-3 relative to the largest score (float32 summation order differs between runtimes). */
function expectSameScores(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  const scale = Math.max(...Array.from(expected, Math.abs));
  expect(scale).toBeGreaterThan(0);
  expect(actual.length).toBe(expected.length);
  Array.from(actual).forEach((a, i) => expect(Math.abs(a - expected[i])).toBeLessThanOrEqual(1e-3 * scale));
}

/** The onnxruntime runner, counting its forward passes (each exports the model as it is at that moment). */
function countingOnnx(): InferenceRunner & { readonly calls: string[] } {
  const inner = onnxInferenceRunner(1);
  const calls: string[] = [];
  return {
    name: inner.name,
    calls,
    evaluate: inner.evaluate,
    capture: (model, layer, ds, batchSize) => (calls.push(`capture:${layer}`), inner.capture(model, layer, ds, batchSize)),
    predictLogits: (model, ds, batchSize) => (calls.push('logits'), inner.predictLogits(model, ds, batchSize)),
  };
}

describe('data-driven criteria on the onnxruntime runner', () => {
  it('block-kl, block-cka and kl score the same on onnxruntime as on TF.js', { timeout: 180_000 }, async () => {
    const onnx = countingOnnx();
    const model = buildZooModel('resnet20', { inputShape: [16, 16, 3], classes: 4, seed: 2 });
    const train = syntheticDataset({ count: 48, shape: [16, 16, 3], classes: 4, seed: 11 });
    const blocks = proposeContext(model, { seed: 3, train })
      .graph.blocks.filter((b) => !b.unremovableReason)
      .slice(0, 4);
    const options = { samplesPerClass: 6, batchSize: 16 };
    // one after the other (masks are in place), each on a fresh proposal of the same seed: the same sample
    const both = async (score: (pc: ProposeContext) => Promise<ArrayLike<number>>) => [
      await score(proposeContext(model, { seed: 3, train, runner: onnx })),
      await score(proposeContext(model, { seed: 3, train })),
    ];
    const [klOnnx, klTfjs] = await both((pc) => klBlockScores(coreServices, pc, blocks, options));
    expectSameScores(klOnnx, klTfjs);
    expect(onnx.calls).toEqual(Array.from({ length: 1 + blocks.length }, () => 'logits')); // the parent, then each bypassed block

    onnx.calls.length = 0;
    const [ckaOnnx, ckaTfjs] = await both((pc) => ckaDropScores(coreServices, pc, blocks, { samplesPerClass: 6, layer: 'penultimate' }));
    expectSameScores(ckaOnnx, ckaTfjs);
    expect(onnx.calls).toEqual(Array.from({ length: 1 + blocks.length }, () => 'capture:gap')); // block-cka runs on the run's runner too

    onnx.calls.length = 0;
    const group = proposeContext(model, { seed: 3, train }).graph.groups.find((g) => g.id.includes('s1_b0_conv1'))!;
    const [channelsOnnx, channelsTfjs] = await both((pc) => klChannelScores(coreServices, pc, group, options));
    expectSameScores(channelsOnnx, channelsTfjs);
    expect(onnx.calls).toHaveLength(1 + group.size);
    model.dispose();
  });

  it('head-output and head-cka score the same on onnxruntime as on TF.js', { timeout: 120_000 }, async () => {
    const onnx = countingOnnx();
    const model = vit({ inputShape: [8, 8, 1], classes: 4, patchSize: 4, dim: 16, depth: 2, numHeads: 4, mlpDim: 24, seed: 2 });
    const train = syntheticDataset({ count: 40, shape: [8, 8, 1], classes: 4, seed: 11 });
    const options = { samplesPerClass: 5, batchSize: 16 };
    const scores = async (runner?: InferenceRunner) => {
      const ctx = proposeContext(model, { seed: 3, train, runner });
      const attention = attentionLayers(ctx.graph)[1];
      return [
        await headOutputScores(coreServices, ctx, attention, options),
        await headCkaDropScores(coreServices, ctx, attention, { ...options, layer: 'penultimate' }),
      ];
    };
    const [tfjsOutput, tfjsCka] = await scores();
    const [onnxOutput, onnxCka] = await scores(onnx);
    expectSameScores(onnxOutput, tfjsOutput);
    expectSameScores(onnxCka, tfjsCka);
    expect(onnx.calls).toEqual(['capture:t1_attn', ...Array(4).fill('capture:t1_attn'), 'capture:gap', ...Array(4).fill('capture:gap')]);
    model.dispose();
  });
});
