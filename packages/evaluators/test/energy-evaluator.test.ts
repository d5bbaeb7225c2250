import { rm } from 'node:fs/promises';
import { testPluginContext } from '@omniprune/core';
import { tfjsInferenceRunner, type InferenceRunner } from '@omniprune/core/prune';
import type { Evaluator } from '@omniprune/plugin-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrainingEnergyTracker, cycledImages, energyEvaluator, type EnergyMeter } from '../src/energy/index.js';
import { syntheticDataset, useCpu } from '@omniprune/core/testing';
import { addEnergy, fakePowercap } from './fixtures/energy/powercap.js';
import { evaluationContext, tinyClassifier } from './helpers/fixtures.js';

beforeAll(useCpu);

/** A meter returning scripted cumulative joules. */
function scriptedMeter(values: number[]): EnergyMeter {
  return { source: 'rapl', estimated: false, skipped: [], read: () => values.shift()! };
}

describe('training energy tracker', () => {
  it('meters start..end, reports since-last and total, and counts overlapping fine-tunes once', () => {
    const meter = scriptedMeter([10, 15, 20, 21, 30]);
    const tracker = createTrainingEnergyTracker(() => meter, 0);
    tracker.observe('base', 'start'); // 10
    tracker.observe('base', 'end'); // 15 -> 5 J
    expect(tracker.take()).toEqual({ sinceLast: 5, total: 5, runs: 1, problems: [] });
    tracker.observe('candidate', 'start'); // 20
    tracker.observe('candidate', 'start'); // nested: no read
    tracker.observe('candidate', 'end'); // still one running: no read
    tracker.observe('winner', 'end'); // 21 -> 1 J
    tracker.observe('winner', 'end'); // unmatched
    expect(tracker.take()).toEqual({ sinceLast: 1, total: 6, runs: 2, problems: [expect.stringMatching(/not seen starting/)] });
    expect(tracker.take()).toEqual({ sinceLast: 0, total: 6, runs: 2, problems: [] });
    tracker.dispose();
  });

  it('records a failing meter as a problem instead of throwing', () => {
    const tracker = createTrainingEnergyTracker(() => {
      throw new Error('counter gone');
    }, 0);
    tracker.observe('winner', 'start');
    tracker.observe('winner', 'end'); // not "unmatched": the failed start reset the count
    expect(tracker.take().problems).toEqual([expect.stringMatching(/winner fine-tune not metered: counter gone/)]);
  });
});

describe('cycledImages', () => {
  it('cycles the test set to the requested count, or takes a prefix view', () => {
    const ds = syntheticDataset({ count: 3, shape: [2, 2, 1], classes: 3, seed: 1, range: [0, 1] });
    const long = cycledImages(ds, 7);
    expect(long.count).toBe(7);
    expect(Array.from(long.labels)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(long.images.subarray(12, 16)).toEqual(ds.images.subarray(0, 4));
    const short = cycledImages(ds, 2);
    expect([short.count, short.images.length, short.images.buffer === ds.images.buffer]).toEqual([2, 8, true]);
  });
});

describe('energy evaluator', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('has documented defaults', () => {
    expect(energyEvaluator.kind).toBe('evaluator');
    expect(energyEvaluator.options.parse({})).toEqual({
      images: 10_000,
      batchSize: 64,
      source: 'auto',
      raplRoot: '/sys/class/powercap',
      wattsPerCore: 10,
      gramsCo2PerKwh: 475,
      pollSeconds: 60,
    });
  });

  it('measures the inference workload and the fine-tunes between evaluations on RAPL counters', async () => {
    const root = await fakePowercap([{ dir: 'intel-rapl:0', name: 'package-0', energyUj: 1_000_000, maxEnergyRangeUj: 10_000_000 }]);
    dirs.push(root);
    const counts: number[] = [];
    // Every forward pass "costs" 5 J on the fake counter (wrapping at 10 J).
    const runner: InferenceRunner = {
      ...tfjsInferenceRunner,
      predictLogits: async (model, ds, batchSize) => {
        counts.push(ds.count);
        await addEnergy(root, 'intel-rapl:0', 5_000_000);
        return tfjsInferenceRunner.predictLogits(model, ds, batchSize);
      },
    };
    const options = energyEvaluator.options.parse({ images: 50, batchSize: 8, raplRoot: root, pollSeconds: 0 });
    const evaluator = (await energyEvaluator.create(options, testPluginContext())) as Evaluator;
    const model = tinyClassifier([4, 4, 1], 3);
    const test = syntheticDataset({ count: 20, shape: [4, 4, 1], classes: 3, seed: 2, range: [0, 1] });

    evaluator.observeTraining?.('base', 'start');
    await addEnergy(root, 'intel-rapl:0', 7_000_000); // a 7 J fine-tune, wrapping the counter
    evaluator.observeTraining?.('base', 'end');
    const first = await evaluator.evaluate(model, evaluationContext(test, { runner, phase: 'baseline' }));
    expect(counts).toEqual([8, 50]); // one-batch warm-up, then the 50-image workload
    expect(first.metrics.joulesPer10k).toBeCloseTo(5 * (10_000 / 50), 6);
    expect(first.metrics.gCo2Per10k).toBeCloseTo((1000 / 3.6e6) * 475, 9);
    expect(first.metrics.trainJoules).toBeCloseTo(7, 9);
    expect(first.metrics.trainGCo2).toBeCloseTo((7 / 3.6e6) * 475, 12);
    expect(first.metrics.inferenceSaving).toBe(0);
    expect(first.estimated).toBe(false);
    expect(first.details).toMatchObject({ source: 'rapl', images: 50, batchSize: 8 });
    expect(first.warnings?.join('\n')).toMatch(/whole CPU package/);

    const reference = { model, result: { metrics: { joulesPer10k: 4000 }, summary: '' } };
    const second = await evaluator.evaluate(model, evaluationContext(test, { runner, phase: 'iteration', reference }));
    expect(second.metrics.trainJoules).toBe(0);
    expect(second.metrics.trainJoulesTotal).toBeCloseTo(7, 9);
    expect(second.metrics.inferenceSaving).toBeCloseTo(1 - 1000 / 4000, 9);
    await evaluator.dispose?.();
  });

  it('labels the CPU-time estimate as estimated, in the result and the summary', async () => {
    const options = energyEvaluator.options.parse({ images: 10, batchSize: 5, source: 'cpu-time-estimate', wattsPerCore: 20 });
    const evaluator = (await energyEvaluator.create(options, testPluginContext())) as Evaluator;
    const result = await evaluator.evaluate(
      tinyClassifier([4, 4, 1], 3),
      evaluationContext(syntheticDataset({ count: 6, shape: [4, 4, 1], classes: 3, seed: 4, range: [0, 1] })),
    );
    expect(result.estimated).toBe(true);
    expect(result.details).toMatchObject({ source: 'cpu-time-estimate', estimated: true, wattsPerCore: 20 });
    expect(result.summary).toMatch(/ESTIMATED from CPU time x 20 W\/core/);
    expect(result.warnings?.join('\n')).toMatch(/an estimate/);
    expect(result.metrics.joulesPer10k).toBeGreaterThanOrEqual(0);
    expect(result.metrics.inferenceSaving).toBeUndefined(); // no reference, not the base model
  });
});
