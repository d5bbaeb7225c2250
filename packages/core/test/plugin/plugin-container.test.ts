import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPluginContainer, defineCriterion, definePruner, listPlugins, registerPlugin, resolvePlugin, testPluginContext } from '../../src/plugin/index.js';

const ratio = definePruner({
  name: 'ratio',
  description: 'test pruner',
  options: z.object({ ratio: z.number().max(1).default(0.5) }),
  create: (o) => ({ ratio: o.ratio }),
});

describe('plugin container', () => {
  it('registers, resolves and creates plugins with parsed options', async () => {
    const c = createPluginContainer();
    registerPlugin(c, ratio, 'test');
    const p = resolvePlugin(c, 'pruner', 'ratio');
    const instance = await p.create(p.options.parse({}), testPluginContext());
    expect(instance).toEqual({ ratio: 0.5 });
    expect(listPlugins(c).map((x) => `${x.kind}:${x.name}`)).toEqual(['pruner:ratio']);
  });

  it('keeps containers isolated', () => {
    const a = createPluginContainer();
    registerPlugin(a, ratio);
    expect(() => resolvePlugin(createPluginContainer(), 'pruner', 'ratio')).toThrow(/unknown pruner "ratio"/);
  });

  it('rejects duplicates and unknown names with actionable messages', () => {
    const c = createPluginContainer();
    registerPlugin(c, ratio, 'pkg-a');
    expect(() => registerPlugin(c, ratio, 'pkg-b')).toThrow(/pruner:ratio from pkg-b is already registered by pkg-a/);
    expect(() => resolvePlugin(c, 'pruner', 'nope')).toThrow(/unknown pruner "nope"[\s\S]*registered pruners: ratio/);
    const sameNameOtherKind = defineCriterion({ name: 'ratio', description: '', options: z.object({}), create: () => 1 });
    expect(() => registerPlugin(c, sameNameOtherKind)).not.toThrow();
  });

  it('rejects a plugin written for another API version', () => {
    const old = definePruner({ ...ratio, apiVersion: 0 });
    expect(() => registerPlugin(createPluginContainer(), old, 'old-pkg')).toThrow(/targets plugin API 0/);
  });
});
