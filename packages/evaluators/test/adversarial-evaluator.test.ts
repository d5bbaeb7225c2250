import { PLUGIN_API_VERSION } from '@omniprune/plugin-api';
import { testPluginContext } from '@omniprune/core';
import type { Evaluator } from '@omniprune/plugin-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { adversarialEvaluator, adversarialHeadline, adversarialOptions, epsilonLabel } from '../src/adversarial/index.js';
import { expectNoLeaks, mlpClassifier, useCpu } from '@omniprune/core/testing';
import { evaluationContext, normalizeRaw, separableData } from './helpers/fixtures.js';

beforeAll(useCpu);

describe('adversarial options', () => {
  it('default to eps 2/255, 4/255, 8/255, both attacks, PGD 10 steps with random start, 1000 samples, batches of 100', () => {
    expect(adversarialOptions.parse({})).toEqual({
      epsilons: [2 / 255, 4 / 255, 8 / 255],
      attacks: ['fgsm', 'pgd'],
      pgd: { steps: 10, randomStart: true },
      samples: 1000,
      batchSize: 100,
    });
    expect(adversarialOptions.parse({ pgd: { steps: 20, stepSize: 0.1 } }).pgd).toEqual({ steps: 20, stepSize: 0.1, randomStart: true });
  });

  it('reject bad epsilons, unknown attacks and unknown keys', () => {
    for (const bad of [
      { epsilons: [0] },
      { epsilons: [] },
      { epsilons: [2] },
      { epsilons: [0.1, 0.1] },
      { attacks: ['cw'] },
      { pgd: { steps: 0 } },
      { eps: [0.1] },
    ]) {
      expect(adversarialOptions.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('label epsilons as k/255 when they are whole grey levels', () => {
    expect(epsilonLabel(8 / 255)).toBe('8/255');
    expect(epsilonLabel(1 / 255)).toBe('1/255');
    expect(epsilonLabel(0.1)).toBe('0.1');
    expect(epsilonLabel(0.0313725)).toBe('8/255'); // as written in YAML
    expect(epsilonLabel(0.031)).toBe('0.031');
    expect(adversarialHeadline({ epsilons: [8 / 255, 2 / 255], attacks: ['fgsm', 'pgd'] })).toBe('pgd@8/255');
    expect(adversarialHeadline({ epsilons: [0.1], attacks: ['fgsm'] })).toBe('fgsm@0.1');
  });
});

describe('adversarial evaluator', () => {
  const shape = [4, 4, 1] as const;
  const raw = separableData(3, 10, shape, 4);
  const normalization = { mean: [0.5], std: [0.25] };
  const test = { ...raw, images: normalizeRaw(raw.images, normalization, 1) };
  const model = mlpClassifier({ shape: shape, classes: 3, hidden: 8, seed: 3 });

  it('is a plain evaluator definition', () => {
    expect(adversarialEvaluator.kind).toBe('evaluator');
    expect(adversarialEvaluator.name).toBe('adversarial');
    expect(adversarialEvaluator.apiVersion).toBe(PLUGIN_API_VERSION);
  });

  it('reports clean and per-attack, per-epsilon accuracies on a stratified seeded subset, deterministically', async () => {
    const options = adversarialOptions.parse({ samples: 12, batchSize: 5, pgd: { steps: 3 } });
    const evaluator = (await adversarialEvaluator.create(options, testPluginContext())) as Evaluator;
    const ctx = evaluationContext(test, { normalization, seed: 3 });
    const result = await expectNoLeaks(() => evaluator.evaluate(model, ctx));
    expect(Object.keys(result.metrics)).toEqual(['clean', 'fgsm@2/255', 'fgsm@4/255', 'fgsm@8/255', 'pgd@2/255', 'pgd@4/255', 'pgd@8/255']);
    for (const value of Object.values(result.metrics)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
      expect(Math.abs(value * 12 - Math.round(value * 12))).toBeLessThan(1e-9); // 12 images
    }
    expect(result.metrics['fgsm@8/255']).toBeLessThanOrEqual(result.metrics.clean);
    expect(result.headline).toBe('pgd@8/255');
    expect(result.summary).toMatch(/^clean \d+\.\d%, pgd@8\/255 \d+\.\d% on 12 images \(PGD 3 steps\)$/);
    expect(result.details).toMatchObject({ samples: 12, pgd: { steps: 3, stepSize: 2.5 / 3, randomStart: true } });
    expect(await evaluator.evaluate(model, ctx)).toEqual(result);
  });

  it('scales epsilons with the pixel range', async () => {
    const options = adversarialOptions.parse({ samples: 6, epsilons: [8 / 255], attacks: ['fgsm'] });
    const evaluator = (await adversarialEvaluator.create(options, testPluginContext())) as Evaluator;
    const test255 = {
      ...raw,
      images: normalizeRaw(
        raw.images.map((v) => 255 * v),
        { mean: [127.5], std: [64] },
        1,
      ),
    };
    const result = await evaluator.evaluate(model, evaluationContext(test255, { normalization: { mean: [127.5], std: [64] }, pixelRange: [0, 255], seed: 7 }));
    expect((result.details as { rawEpsilons: number[] }).rawEpsilons[0]).toBeCloseTo(8, 10);
    expect(Object.keys(result.metrics)).toEqual(['clean', 'fgsm@8/255']);
  });
});
