import { createPlugin, createPluginContainer, isOmnipruneError, registerPlugin, testPluginContext } from '@omniprune/core';
import { createRng } from '@omniprune/core/util';
import { PLUGIN_API_VERSION, type SimilarityMetric } from '@omniprune/plugin-api';
import { describe, expect, it } from 'vitest';
import {
  createMinibatchCKA,
  debiasedLinearCKA,
  debiasedLinearCkaPlugin,
  linearCKA,
  linearCkaPlugin,
  minibatchCKA,
  minibatchCkaPlugin,
  plugins,
  rbfCKA,
  rbfCkaPlugin,
} from '../src/index.js';
import { gaussianMatrix } from '@omniprune/core/testing';

const ctx = testPluginContext();
const x = gaussianMatrix(createRng(1), 30, 4);
const y = gaussianMatrix(createRng(2), 30, 3).map((r, i) => [r[0] + x[i][0], r[1], r[2] - x[i][3]]);

describe('criterion plugins', () => {
  it('are plain criterion definitions with role similarity', () => {
    expect(plugins.map((p) => p.name)).toEqual(['linear-cka', 'debiased-linear-cka', 'rbf-cka', 'minibatch-cka']);
    expect(plugins).toEqual([linearCkaPlugin, debiasedLinearCkaPlugin, rbfCkaPlugin, minibatchCkaPlugin]);
    for (const p of plugins) {
      expect(p.kind).toBe('criterion');
      expect(p.role).toBe('similarity');
      expect(p.apiVersion).toBe(PLUGIN_API_VERSION);
      expect(p.description.length).toBeGreaterThan(10);
    }
  });

  it('create() returns similarity metrics computing the functions', async () => {
    const expected: Record<string, number> = {
      'linear-cka': linearCKA(x, y),
      'debiased-linear-cka': debiasedLinearCKA(x, y),
      'rbf-cka': rbfCKA(x, y),
      'minibatch-cka': minibatchCKA(x, y),
    };
    for (const p of plugins) {
      const metric = (await p.create(p.options.parse({}) as never, ctx)) as SimilarityMetric;
      expect(metric.role).toBe('similarity');
      expect(metric.name).toBe(p.name);
      expect(metric.similarity(x, y)).toBe(expected[p.name]);
    }
  });

  it('validates rbf-cka options: threshold > 0, default 1', async () => {
    expect(rbfCkaPlugin.options.parse({})).toEqual({ threshold: 1 });
    for (const bad of [{ threshold: 0 }, { threshold: -1 }, { threshold: 'wide' }, { threshold: Infinity }, { sigma: 1 }]) {
      expect(rbfCkaPlugin.options.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    const metric = await rbfCkaPlugin.create(rbfCkaPlugin.options.parse({ threshold: 0.5 }), ctx);
    expect(metric.similarity(x, y)).toBe(rbfCKA(x, y, { threshold: 0.5 }));
  });

  it('validates minibatch-cka options: integer batchSize >= 4, default 1000; equals the streaming form', async () => {
    expect(minibatchCkaPlugin.options.parse({})).toEqual({ batchSize: 1000 });
    for (const bad of [{ batchSize: 3 }, { batchSize: 10.5 }, { batchSize: '8' }]) expect(minibatchCkaPlugin.options.safeParse(bad).success).toBe(false);
    const metric = await minibatchCkaPlugin.create(minibatchCkaPlugin.options.parse({ batchSize: 10 }), ctx);
    expect(metric.similarity(x, y)).toBe(minibatchCKA(x, y, { batchSize: 10 }));
    const acc = createMinibatchCKA();
    for (let s = 0; s < 30; s += 10) acc.add(x.slice(s, s + 10), y.slice(s, s + 10));
    expect(acc.value()).toBeCloseTo(minibatchCKA(x, y, { batchSize: 10 }), 12);
  });

  it('registers in a core container; bad YAML options are reported with their path', async () => {
    const container = createPluginContainer();
    for (const p of plugins) registerPlugin(container, p, '@omniprune/criteria-cka');
    const metric = await createPlugin<SimilarityMetric>(container, 'criterion', 'rbf-cka', undefined, ctx, 'similarity.with');
    expect(metric.similarity(x, y)).toBe(rbfCKA(x, y));
    let caught: unknown;
    try {
      await createPlugin(container, 'criterion', 'rbf-cka', { threshold: -2 }, ctx, 'similarity.with');
    } catch (e) {
      caught = e;
    }
    expect(isOmnipruneError(caught, 'E_SCHEMA')).toBe(true);
    expect((caught as Error).message).toMatch(/similarity\.with\.threshold: /);
    await expect(createPlugin(container, 'criterion', 'linear-cka', { extra: 1 }, ctx)).rejects.toThrow(/invalid options for criterion:linear-cka/);
  });
});
