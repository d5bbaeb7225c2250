import { testPluginContext } from '@omniprune/core';
import { loadOnnxRuntime } from '@omniprune/onnx';
import type { Evaluator } from '@omniprune/plugin-api';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { latencyEvaluator } from '../src/latency/index.js';
import { expectNoLeaks, syntheticDataset, useCpu } from '@omniprune/core/testing';
import { evaluationContext, tinyClassifier } from './helpers/fixtures.js';

beforeAll(useCpu);

const onnxAvailable = !((await loadOnnxRuntime()) instanceof Error);
const shape: [number, number, number] = [4, 4, 1];
const test = syntheticDataset({ count: 8, shape: shape, classes: 3, seed: 1, range: [0, 1] });
const fast = { warmup: 1, secondsPerModel: 0.02, minRuns: 3, batchSizes: [1, 4] };

async function create(options: unknown): Promise<Evaluator> {
  return (await latencyEvaluator.create(latencyEvaluator.options.parse(options), testPluginContext())) as Evaluator;
}

/** Record every `predict` of `model` under `name` in `calls`. */
function spyPredict(model: tfl.LayersModel, name: string, calls: string[]): void {
  const predict = model.predict.bind(model);
  model.predict = (x, config) => {
    calls.push(name);
    return predict(x, config);
  };
}

/** input -> flatten -> ELU -> dense: the ELU layer has no ONNX converter. */
function unexportable(): tfl.LayersModel {
  const input = tfl.input({ shape });
  const h = tfl.layers.elu().apply(tfl.layers.flatten().apply(input)) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 3 }).apply(h) as tfl.SymbolicTensor });
}

describe('latency evaluator', () => {
  it('has documented defaults', () => {
    expect(latencyEvaluator.kind).toBe('evaluator');
    expect(latencyEvaluator.options.parse({})).toEqual({ batchSizes: [1, 64], runner: 'auto', warmup: 3, secondsPerModel: 2, minRuns: 5, threads: 0 });
    expect(latencyEvaluator.options.safeParse({ batchSizes: [] }).success).toBe(false);
  });

  it('times the model interleaved with the reference on TF.js, without leaking tensors', async () => {
    const model = tinyClassifier(shape, 3);
    const reference = tinyClassifier(shape, 3, { seed: 9 });
    const calls: string[] = [];
    spyPredict(model, 'model', calls);
    spyPredict(reference, 'reference', calls);
    const evaluator = await create({ ...fast, runner: 'tfjs' });
    const result = await expectNoLeaks(() =>
      evaluator.evaluate(model, evaluationContext(test, { reference: { model: reference, result: { metrics: {}, summary: '' } } })),
    );
    expect(calls.length).toBeGreaterThanOrEqual(2 * 2 * (1 + 3));
    for (let i = 0; i < calls.length; i++) expect(calls[i], `call ${i}`).toBe(i % 2 === 0 ? 'model' : 'reference');
    const m = result.metrics;
    expect(Object.keys(m).sort()).toEqual(
      ['msBatch1', 'p90MsBatch1', 'referenceMsBatch1', 'speedupBatch1', 'msBatch4', 'p90MsBatch4', 'referenceMsBatch4', 'speedupBatch4'].sort(),
    );
    for (const b of [1, 4]) {
      expect(m[`msBatch${b}`]).toBeGreaterThan(0);
      expect(m[`p90MsBatch${b}`]).toBeGreaterThanOrEqual(m[`msBatch${b}`]);
      expect(m[`speedupBatch${b}`]).toBeCloseTo(m[`referenceMsBatch${b}`] / m[`msBatch${b}`], 12);
    }
    expect(result.headline).toBe('speedupBatch1');
    expect(result.details).toMatchObject({ runner: 'tfjs', interleaved: true });
  });

  it('reports speedup 1 for the base model and none without a reference', async () => {
    const evaluator = await create({ ...fast, batchSizes: [2], runner: 'tfjs' });
    const model = tinyClassifier(shape, 3);
    const base = await evaluator.evaluate(model, evaluationContext(test, { phase: 'baseline' }));
    expect(base.metrics.speedupBatch2).toBe(1);
    expect(base.headline).toBe('speedupBatch2');
    const alone = await evaluator.evaluate(model, evaluationContext(test, { phase: 'eval' }));
    expect(Object.keys(alone.metrics).sort()).toEqual(['msBatch2', 'p90MsBatch2']);
    expect(alone.headline).toBe('msBatch2');
  });

  it.skipIf(!onnxAvailable)('times on onnxruntime sessions, and auto falls back to TF.js when the export fails', async () => {
    const onnx = await create({ ...fast, runner: 'onnxruntime' });
    const model = tinyClassifier(shape, 3);
    const calls: string[] = [];
    spyPredict(model, 'model', calls);
    const result = await onnx.evaluate(
      model,
      evaluationContext(test, { reference: { model: tinyClassifier(shape, 3, { seed: 4 }), result: { metrics: {}, summary: '' } } }),
    );
    expect(calls).toEqual([]); // not a single TF.js forward pass
    expect(result.details).toMatchObject({ runner: 'onnxruntime', interleaved: true });
    expect(result.metrics.msBatch4).toBeGreaterThan(0);
    expect(result.metrics.speedupBatch1).toBeGreaterThan(0);

    const auto = await create({ ...fast, batchSizes: [1] });
    const fallback = await auto.evaluate(unexportable(), evaluationContext(test));
    expect(fallback.details).toMatchObject({ runner: 'tfjs' });
    expect(fallback.warnings?.join('\n')).toMatch(/ONNX export failed.*ELU/);
    await expect(onnx.evaluate(unexportable(), evaluationContext(test))).rejects.toThrow(/ELU/);
  });
});
