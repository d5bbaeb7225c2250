import { PLUGIN_API_VERSION } from '@omniprune/plugin-api';
import { testPluginContext } from '@omniprune/core';
import { tfjsInferenceRunner } from '@omniprune/core/prune';
import type { Evaluation, Evaluator } from '@omniprune/plugin-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORRUPTION_NAMES, corruptionEvaluator, corruptionOptions } from '../src/corruption/index.js';
import { expectNoLeaks, mlpClassifier, useCpu } from '@omniprune/core/testing';
import { evaluationContext, normalizeRaw, separableData, train } from './helpers/fixtures.js';

beforeAll(useCpu);

describe('corruption options', () => {
  it('default to every corruption, severities 1..5, 1000 samples, chunks of 500', () => {
    expect(corruptionOptions.parse({})).toEqual({ corruptions: [...CORRUPTION_NAMES], severities: [1, 2, 3, 4, 5], samples: 1000, batchSize: 500 });
  });

  it('reject unknown corruptions, severities outside 0..5, repeats and unknown keys', () => {
    for (const bad of [{ corruptions: ['snow'] }, { severities: [6] }, { severities: [1.5] }, { severities: [1, 1] }, { corruptions: [] }, { level: 3 }]) {
      expect(corruptionOptions.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('corruption evaluator', () => {
  const shape = [6, 6, 1] as const;
  const raw = separableData(3, 8, shape, 6, 0.3);
  const normalization = { mean: [0.5], std: [0.3] };
  const test = { ...raw, images: normalizeRaw(raw.images, normalization, 1) };
  const model = mlpClassifier({ shape: shape, classes: 3, hidden: 8, seed: 5 });
  const ctx = evaluationContext(test, { normalization, seed: 11 });
  const create = async (options: object): Promise<Evaluator> =>
    (await corruptionEvaluator.create(corruptionOptions.parse(options), testPluginContext())) as Evaluator;
  beforeAll(() => train(model, test, 15));

  it('is a plain evaluator definition', () => {
    expect(corruptionEvaluator.kind).toBe('evaluator');
    expect(corruptionEvaluator.name).toBe('corruption');
    expect(corruptionEvaluator.apiVersion).toBe(PLUGIN_API_VERSION);
  });

  it('reports clean, per-corruption mean accuracy over severities and their mean, with per-severity errors in details', async () => {
    const evaluator = await create({ corruptions: ['gaussian-noise', 'rotation', 'fog'], severities: [1, 5], samples: 12, batchSize: 5 });
    const result = await expectNoLeaks(() => evaluator.evaluate(model, ctx));
    expect(Object.keys(result.metrics)).toEqual(['clean', 'gaussian-noise', 'rotation', 'fog', 'meanAccuracy']);
    const details = result.details as { samples: number; cleanError: number; severities: number[]; errors: Record<string, number[]> };
    expect(details.samples).toBe(12);
    expect(details.severities).toEqual([1, 5]);
    expect(details.cleanError).toBeCloseTo(1 - result.metrics.clean, 12);
    for (const name of ['gaussian-noise', 'rotation', 'fog']) {
      expect(details.errors[name]).toHaveLength(2);
      expect(result.metrics[name]).toBeCloseTo(1 - (details.errors[name][0] + details.errors[name][1]) / 2, 12);
    }
    expect(result.metrics.meanAccuracy).toBeCloseTo((result.metrics['gaussian-noise'] + result.metrics.rotation + result.metrics.fog) / 3, 12);
    expect(result.metrics.clean).toBeGreaterThan(0.8); // the model learned the data, so corruptions have something to break
    expect(result.headline).toBe('meanAccuracy');
    expect(result.metrics.mCE).toBeUndefined();
    expect(await evaluator.evaluate(model, ctx), 'deterministic').toEqual(result);
  });

  it('evaluates the clean subset on the runner, and severity 0 (raw pixels round trip) scores the clean accuracy', async () => {
    const calls: string[] = [];
    const runner = {
      ...tfjsInferenceRunner,
      evaluate: (m: never, ds: { name: string; count: number }) => (calls.push(`${ds.name}:${ds.count}`), tfjsInferenceRunner.evaluate(m, ds as never)),
    };
    const evaluator = await create({ corruptions: ['contrast', 'stripe'], severities: [0], samples: 12, batchSize: 12 });
    const result = await evaluator.evaluate(model, { ...ctx, runner });
    expect(calls).toEqual(['synthetic/test[12]:12', 'synthetic/test[12]/contrast-0:12', 'synthetic/test[12]/stripe-0:12']);
    expect(result.metrics.contrast).toBeCloseTo(result.metrics.clean, 12);
    expect(result.metrics.stripe).toBeCloseTo(result.metrics.clean, 12);
  });

  it('has mCE = relative mCE = 1 with itself as the reference, read from the reference result', async () => {
    const evaluator = await create({ corruptions: ['impulse-noise', 'scale', 'contrast'], severities: [3, 5], samples: 24, batchSize: 10 });
    const base = await evaluator.evaluate(model, ctx);
    const versusItself = await evaluator.evaluate(model, { ...ctx, reference: { model, result: base } });
    expect(versusItself.metrics.mCE).toBe(1);
    expect(versusItself.summary).toMatch(/mCE 1\.000/);
    const { ce, relativeCE } = versusItself.details as { ce: Record<string, number>; relativeCE: Record<string, number> };
    expect(Object.keys(ce).length).toBeGreaterThan(0);
    expect(Object.values(ce).every((v) => v === 1)).toBe(true);
    expect(Object.values(relativeCE).every((v) => v === 1)).toBe(true);
    if (Object.keys(relativeCE).length > 0) expect(versusItself.metrics.relativeMCE).toBe(1);
  });

  it('compares against the reference result, not a re-run of the reference model', async () => {
    const evaluator = await create({ corruptions: ['shear'], severities: [2, 4], samples: 12 });
    const base = await evaluator.evaluate(model, ctx);
    const details = base.details as { errors: Record<string, number[]>; cleanError: number };
    const doubled: Evaluation = { ...base, details: { ...details, errors: { shear: details.errors.shear.map((e) => 2 * e) } } };
    const result = await evaluator.evaluate(model, { ...ctx, reference: { model, result: doubled } });
    expect(result.metrics.mCE).toBeCloseTo(0.5, 12);
    const unreadable = await evaluator.evaluate(model, { ...ctx, reference: { model, result: { metrics: {}, summary: 'x' } } });
    expect(unreadable.metrics.mCE).toBeUndefined();
    expect(unreadable.warnings?.join('\n')).toMatch(/mCE not computed/);
  });
});
