import { beforeAll, describe, expect, it } from 'vitest';
import { defineEvaluator, z, type Evaluator } from '@omniprune/plugin-api';
import { registerPlugin, runPipeline, validatePipeline } from '@omniprune/core';
import { testContainer, tinyDataset, tinyPipeline, useWasm } from '@omniprune/core/testing';
import { latencyEvaluator, latencyStopRule } from '../src/index.js';

beforeAll(useWasm);

/**
 * The latency evaluator's stop rule on a stand-in evaluator of the same name: iteration i's winner is (1 + i) times as
 * fast as the base model, so the rule is checked on known speedups without timing anything.
 */
const fakeLatency = defineEvaluator({
  name: 'latency',
  description: 'test',
  options: z.object({}),
  stopRules: [latencyStopRule],
  create: (): Evaluator => ({
    name: 'latency',
    evaluate: async (_model, ctx) => ({ metrics: { speedupBatch1: 1 + ctx.iteration }, summary: `${1 + ctx.iteration}x` }),
  }),
});

describe('stop.latencyReduction (the latency evaluator contributes it)', () => {
  it('is a stop rule of the latency evaluator plugin', () => {
    expect(latencyEvaluator.stopRules).toContain(latencyStopRule);
  });

  it('stops at stop.latencyReduction and refuses it without the latency evaluator on every iteration', async () => {
    const dir = await tinyDataset();
    const c = testContainer();
    registerPlugin(c, fakeLatency as never, 'test');
    // iteration 1: 2x (50 % less latency), iteration 2: 3x (66.7 %) >= 60 %
    const raw = tinyPipeline(dir, { evaluate: [{ use: 'latency' }], stop: { maxIterations: 5, latencyReduction: 0.6 }, finetune: {} });
    const report = await runPipeline(validatePipeline(raw, c), { container: c });
    expect(report.stopReason).toBe('latency-target');
    expect(report.iterations).toHaveLength(2);
    expect(report.stopMessage).toMatch(/66\.67 %.*3\.00x faster/);
    expect(() => validatePipeline({ ...raw, evaluate: [] }, c)).toThrow(/stop\.latencyReduction needs the latency evaluator on every iteration/);
    expect(() => validatePipeline({ ...raw, evaluate: [{ use: 'latency', every: 2 }] }, c)).toThrow(/it runs every 2/);
  });

  it('is not a stop key where no registered plugin contributes it', async () => {
    const dir = await tinyDataset();
    expect(() => validatePipeline(tinyPipeline(dir, { stop: { latencyReduction: 0.6 } }), testContainer())).toThrow(
      /stop: Unrecognized key: "latencyReduction"/,
    );
  });
});
