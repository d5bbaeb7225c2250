import { describe, expect, it } from 'vitest';
import {
  PLUGIN_API_VERSION,
  OmnipruneError,
  defineCriterion,
  defineModelFormat,
  definePruner,
  defineTrainer,
  isOmnipruneError,
  perProposal,
  prunePlanSchema,
  z,
  type CoreServices,
  type ModelFormat,
  type PluginContext,
  type ProposeContext,
} from '../src/index.js';

const options = z.strictObject({ ratio: z.number().gt(0).lt(1).default(0.1) });
/** A context for plugins that never touch the host's services (this package has no host to give). */
const ctx: PluginContext = { log: () => {}, seed: 1, services: {} as CoreServices };

describe('define* helpers', () => {
  it.each([
    ['pruner', definePruner],
    ['criterion', defineCriterion],
    ['trainer', defineTrainer],
  ] as const)('define %s stamps kind and apiVersion and freezes the definition', (kind, define) => {
    const spec = { name: 'my-plugin', description: 'test', options, create: () => ({}) };
    const plugin = define(spec);
    expect(plugin).toMatchObject({ kind, apiVersion: PLUGIN_API_VERSION, name: 'my-plugin', description: 'test' });
    expect(plugin.options).toBe(options);
    expect(Object.isFrozen(plugin)).toBe(true);
    expect(() => {
      (plugin as { name: string }).name = 'other';
    }).toThrow(TypeError);
    expect(plugin).not.toBe(spec);
    expect(spec).not.toHaveProperty('kind');
  });

  it('keeps an explicit apiVersion (a core with another version refuses the plugin) and the criterion role', () => {
    const plugin = defineCriterion({ name: 'old', role: 'similarity', description: 'test', options, create: () => ({}), apiVersion: 0 });
    expect(plugin.apiVersion).toBe(0);
    expect(plugin.role).toBe('similarity');
    expect(PLUGIN_API_VERSION).toBe(1);
  });

  it('create receives options parsed by the schema', async () => {
    const plugin = definePruner({ name: 'p', description: 'test', options, create: (o) => ({ kind: 'filter', ratio: o.ratio }) });
    expect(await plugin.create(plugin.options.parse({}), ctx)).toEqual({ kind: 'filter', ratio: 0.1 });
  });

  it('defineModelFormat makes a frozen format plugin whose create returns the format', async () => {
    const format: ModelFormat = { name: 'my-format', description: 'test', extensions: ['.my'], read: () => Promise.reject(new Error('unused')) };
    const plugin = defineModelFormat(format);
    expect(plugin).toMatchObject({ kind: 'format', apiVersion: PLUGIN_API_VERSION, name: 'my-format', extensions: ['.my'] });
    expect(Object.isFrozen(plugin)).toBe(true);
    expect(plugin.options.parse({})).toEqual({});
    expect(await plugin.create({}, ctx)).toBe(format);
  });
});

describe('runtime helpers', () => {
  it('prunePlanSchema accepts the three plan kinds and names what is wrong', () => {
    expect(prunePlanSchema.parse({ kind: 'remove-block', block: 's1_b2_add' })).toEqual({ kind: 'remove-block', block: 's1_b2_add' });
    expect(prunePlanSchema.safeParse({ kind: 'remove-channels', group: 'g', indices: [-1] }).success).toBe(false);
  });

  it('perProposal computes once per proposal context', () => {
    let calls = 0;
    const of = perProposal(() => ++calls);
    const a = {} as ProposeContext;
    const b = {} as ProposeContext;
    expect([of(a), of(a), of(b), of(a)]).toEqual([1, 1, 2, 1]);
  });

  it('OmnipruneError carries its code, plugin and hint', () => {
    const err = new OmnipruneError('E_BAD_INPUT', 'ratio must be < 1', { plugin: 'pruner:fpgm', hint: 'use 0.1' });
    expect(err.message).toBe('[pruner:fpgm] ratio must be < 1\n  hint: use 0.1');
    expect(isOmnipruneError(err, 'E_BAD_INPUT')).toBe(true);
    expect(isOmnipruneError(err, 'E_SCHEMA')).toBe(false);
  });
});
