import { testPluginContext } from '@omniprune/core';
import { tfjsInferenceRunner, type InferenceRunner } from '@omniprune/core/prune';
import type { Evaluator } from '@omniprune/plugin-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { oodEvaluator, SYNTHETIC_OOD_SETS } from '../src/ood/index.js';
import { expectNoLeaks, syntheticDataset, useCpu } from '@omniprune/core/testing';
import { evaluationContext, probabilityOnlyClassifier, tinyClassifier } from './helpers/fixtures.js';

beforeAll(useCpu);

async function create(options: unknown): Promise<Evaluator> {
  return (await oodEvaluator.create(oodEvaluator.options.parse(options), testPluginContext())) as Evaluator;
}

describe('ood evaluator', () => {
  it('is an evaluator plugin with documented defaults', () => {
    expect(oodEvaluator.kind).toBe('evaluator');
    expect(oodEvaluator.name).toBe('ood');
    expect(oodEvaluator.options.parse({})).toEqual({ samples: 1000, synthetic: [...SYNTHETIC_OOD_SETS], blockSize: 4, sets: [], batchSize: 256 });
    expect(oodEvaluator.options.safeParse({ sets: [{ name: 'a b', path: '/x' }] }).success).toBe(false);
    expect(oodEvaluator.options.safeParse({ synthetic: ['snow'] }).success).toBe(false);
    const clash = oodEvaluator.options.safeParse({ sets: [{ name: 'inverted', path: '/x' }] });
    expect(clash.success).toBe(false);
    expect(clash.error?.issues[0]).toMatchObject({ path: ['sets'], message: expect.stringMatching(/unique/) });
    expect(oodEvaluator.options.safeParse({ synthetic: ['inverted'], sets: [{ name: 'mnist', path: '/x', format: 'idx' }] }).success).toBe(true);
  });

  it('reports per-set and mean AUROC/FPR95 for MSP and energy, on renormalised inputs from a stratified subset', async () => {
    const normalization = { mean: [0.5], std: [0.25] };
    const raw = syntheticDataset({ count: 30, shape: [6, 6, 1], classes: 3, seed: 11, range: [0, 1] });
    const test = { ...raw, images: raw.images.map((v) => (v - 0.5) / 0.25) };
    const seen: { count: number; min: number; max: number }[] = [];
    const runner: InferenceRunner = {
      ...tfjsInferenceRunner,
      predictLogits: (model, ds, batchSize) => {
        seen.push({ count: ds.count, min: Math.min(...ds.images), max: Math.max(...ds.images) });
        return tfjsInferenceRunner.predictLogits(model, ds, batchSize);
      },
    };
    const evaluator = await create({ samples: 12, synthetic: ['inverted', 'uniform-noise'] });
    const model = tinyClassifier([6, 6, 1], 3);
    const result = await expectNoLeaks(() => evaluator.evaluate(model, evaluationContext(test, { normalization, runner })));
    expect(seen.map((s) => s.count)).toEqual([12, 12, 12]);
    for (const s of seen) {
      expect(s.min).toBeGreaterThanOrEqual(-2 - 1e-5); // (0 - 0.5) / 0.25: model space, not raw pixels
      expect(s.max).toBeLessThanOrEqual(2 + 1e-5);
    }
    expect(seen[0].min).toBeLessThan(0);
    const m = result.metrics;
    expect(Object.keys(m).sort()).toEqual(
      [
        'auroc:inverted:msp',
        'fpr95:inverted:msp',
        'auroc:inverted:energy',
        'fpr95:inverted:energy',
        'auroc:uniform-noise:msp',
        'fpr95:uniform-noise:msp',
        'auroc:uniform-noise:energy',
        'fpr95:uniform-noise:energy',
        'auroc:msp',
        'auroc:energy',
        'fpr95:msp',
        'fpr95:energy',
      ].sort(),
    );
    for (const v of Object.values(m)) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(m['auroc:msp']).toBeCloseTo((m['auroc:inverted:msp'] + m['auroc:uniform-noise:msp']) / 2, 12);
    expect(m['fpr95:energy']).toBeCloseTo((m['fpr95:inverted:energy'] + m['fpr95:uniform-noise:energy']) / 2, 12);
    expect(result.headline).toBe('auroc:msp');
    expect(result.warnings).toEqual([]);
    const again = await evaluator.evaluate(model, evaluationContext(test, { normalization }));
    expect(again.metrics).toEqual(m);
  });

  it('detects a model without logits: energy scores degenerate, omitted with a warning', async () => {
    const test = syntheticDataset({ count: 20, shape: [4, 4, 1], classes: 2, seed: 3, range: [0, 1] });
    const evaluator = await create({ samples: 10, synthetic: ['gaussian-noise'] });
    const result = await evaluator.evaluate(probabilityOnlyClassifier([4, 4, 1], 2), evaluationContext(test));
    expect(Object.keys(result.metrics).sort()).toEqual(['auroc:gaussian-noise:msp', 'auroc:msp', 'fpr95:gaussian-noise:msp', 'fpr95:msp']);
    expect(result.warnings?.join('\n')).toMatch(/energy score omitted.*no logits/);
  });
});
