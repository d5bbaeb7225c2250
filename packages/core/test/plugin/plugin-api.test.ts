import * as api from '@omniprune/plugin-api';
import { beforeAll, describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';
import * as graph from '../../src/graph/index.js';
import * as metrics from '../../src/metrics/index.js';
import * as plugin from '../../src/plugin/index.js';
import * as util from '../../src/util/index.js';
import * as io from '../../src/io/model-format.js';
import * as errors from '../../src/errors/omniprune-error.js';
import { z as coreZod } from 'zod';
import { convBnChain, useCpu } from '../../src/testing/index.js';

beforeAll(useCpu);

/** Core as a host sees it: the root entry and the subpath entries this test reaches into. */
const core = { ...root, ...graph, ...metrics, ...plugin, ...util };

/** A third-party pruner written against `@omniprune/plugin-api` alone: it reaches core only through `ctx.services`. */
const firstChannel = api.definePruner({
  name: 'first-channel',
  description: 'remove channel 0 of the first prunable group',
  options: api.z.strictObject({ minChannels: api.z.number().int().positive().default(1) }),
  create(options, ctx): api.Pruner {
    const services = ctx.services!;
    return {
      kind: 'filter',
      async propose(p) {
        const group = p.graph.groups.find((g) => !g.frozenReason && g.size > options.minChannels);
        if (!group) return null;
        const cost = services.metrics.cost(p.parent);
        p.log(`${group.id}: ${cost.flops} flops`);
        return {
          kind: 'filter',
          pruner: 'first-channel',
          plans: [{ kind: 'remove-channels', group: group.id, indices: [0] }],
          removedUnits: 1,
          summary: 'remove 1',
        };
      },
    };
  },
});

describe('a plugin made with @omniprune/plugin-api', () => {
  it('is the plugin API core implements: same version, helpers, error class and zod', () => {
    expect(plugin.PLUGIN_API_VERSION).toBe(api.PLUGIN_API_VERSION);
    expect(plugin.definePruner).toBe(api.definePruner);
    expect(io.defineModelFormat).toBe(api.defineModelFormat);
    expect(errors.OmnipruneError).toBe(api.OmnipruneError);
    expect(root.OmnipruneError).toBe(api.OmnipruneError);
    expect(coreZod).toBe(api.z);
  });

  it("registers in core's container, is created with validated options and core's services, and its plan applies", async () => {
    const c = core.createPluginContainer();
    core.registerPlugin(c, firstChannel as api.PluginDefinition, 'omniprune-plugin-example', '1.0.0');
    expect(core.listPlugins(c).map((p) => core.pluginOrigin(c, p.kind, p.name))).toEqual([{ source: 'omniprune-plugin-example', version: '1.0.0' }]);
    await expect(core.createPlugin(c, 'pruner', 'first-channel', { minChannels: 0 }, { log: () => {}, seed: 1 })).rejects.toThrow(/minChannels/);
    const pruner = await core.createPlugin<api.Pruner>(c, 'pruner', 'first-channel', {}, { log: () => {}, seed: 1 });
    const model = convBnChain();
    const logs: string[] = [];
    const candidate = await pruner.propose({
      parent: model,
      graph: core.buildDependencyGraph(model),
      iteration: 1,
      rng: core.createRng(1),
      earlier: [],
      log: (m) => logs.push(m),
      train: { name: 'none', images: new Float32Array(0), labels: new Int32Array(0), shape: [8, 8, 3], numClasses: 4, count: 0 },
    });
    expect(candidate!.plans).toEqual([{ kind: 'remove-channels', group: 'c1', indices: [0] }]);
    expect(logs).toEqual([`c1: ${core.countCost(model).flops} flops`]);
    const pruned = await core.applyPlans(model, candidate!.plans);
    expect(pruned.getLayer('c1').getWeights()[0].shape).toEqual([3, 3, 3, 5]);
  });

  it('is refused by a core implementing another API version, naming the plugin', () => {
    const future = api.defineCriterion({ name: 'future', role: 'similarity', description: 'x', options: api.z.object({}), create: () => ({}), apiVersion: 2 });
    expect(() => core.registerPlugin(core.createPluginContainer(), future as api.PluginDefinition, 'omniprune-plugin-future')).toThrow(
      /criterion:future from omniprune-plugin-future targets plugin API 2, this core implements 1/,
    );
  });
});
