import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePruner, type Pruner } from '@omniprune/plugin-api';
import { registerPlugin, runPipeline, validatePipeline } from '../../src/index.js';
import { chooseCandidate } from '../../src/prune/index.js';
import { testContainer, tinyDataset, tinyPipeline, useWasm } from '../../src/testing/index.js';

beforeAll(useWasm);

/** A pruner whose option schema transforms (a string into a RegExp): it must see its options parsed exactly once. */
let seenPattern: unknown;
const patternPruner = definePruner({
  name: 'pattern',
  description: 'test: removes the first removable block whose id matches `include`',
  options: z.strictObject({ include: z.string().transform((s) => new RegExp(s)) }),
  create: ({ include }): Pruner => {
    seenPattern = include;
    return {
      kind: 'layer',
      async propose(ctx) {
        const block = ctx.graph.blocks.find((b) => !b.unremovableReason && b.index > 0 && include.test(b.id));
        return block ? { kind: 'layer', pruner: 'pattern', plans: [{ kind: 'remove-block', block: block.id }], removedUnits: 1, summary: block.id } : null;
      },
    };
  },
});

/**
 * A third-party pruner of a structure kind core has never heard of (`token`), with its own stop rule and stop key:
 * it removes one channel of the first prunable group and stops the run after `maxTokenSteps` of its wins.
 */
const tokenPruner = definePruner({
  name: 'token-drop',
  description: 'test: a new structure kind',
  options: z.object({}),
  stopRules: [
    {
      name: 'token-steps',
      options: { maxTokenSteps: z.number().int().positive().optional() },
      afterIteration: ({ stop, iteration }) =>
        stop.maxTokenSteps !== undefined && iteration >= (stop.maxTokenSteps as number) ? { reason: 'token-steps', message: `${iteration} token steps` } : null,
    },
  ],
  create: (): Pruner => ({
    kind: 'token',
    async propose(ctx) {
      const g = ctx.graph.groups.find((x) => !x.frozenReason && !x.residual && x.size > 2);
      return g
        ? { kind: 'token', pruner: 'token-drop', plans: [{ kind: 'remove-channels', group: g.id, indices: [0] }], removedUnits: 1, summary: g.id }
        : null;
    },
  }),
});

function container() {
  const c = testContainer();
  for (const p of [patternPruner, tokenPruner]) registerPlugin(c, p as never, 'test');
  return c;
}

describe('what plugins contribute to a run', () => {
  it('hands a .transform() option to the plugin parsed once, from validate to run', async () => {
    const dir = await tinyDataset();
    const c = container();
    const raw = tinyPipeline(dir, { pruners: [{ use: 'pattern', with: { include: '^s2' } }], finetune: {}, stop: { maxIterations: 1 } });
    const pipeline = validatePipeline(raw, c);
    expect(pipeline.pruners[0].with.include).toBeInstanceOf(RegExp);
    const report = await runPipeline(pipeline, { container: c });
    expect(seenPattern).toBeInstanceOf(RegExp);
    expect(report.iterations[0].candidates[0].summary).toMatch(/^s2/);
  });

  it('runs a pruner of a new structure kind, orders it in ties and stops at its own stop key', async () => {
    const dir = await tinyDataset();
    const c = container();
    const pruners = [{ use: 'first-block' }, { use: 'token-drop' }];
    const raw = tinyPipeline(dir, {
      pruners,
      similarity: { use: 'constant', samples: 20 },
      ties: ['token', 'layer'],
      finetune: {},
      stop: { maxIterations: 5, maxTokenSteps: 2 },
    });
    const report = await runPipeline(validatePipeline(raw, c), { container: c });
    expect(report.iterations.map((it) => it.chosenKind)).toEqual(['token', 'token']);
    expect(report.stopReason).toBe('token-steps');
    expect(() => validatePipeline({ ...raw, stop: { maxTokenSteps: 0 } }, c)).toThrow(/stop\.maxTokenSteps/);
  });

  it('breaks exact ties by the order of `ties: [head, layer, filter]`', async () => {
    const dir = await tinyDataset();
    const c = container();
    const run = async (ties: unknown, out: string) => {
      const raw = tinyPipeline(dir, { similarity: { use: 'constant', samples: 20 }, ties, finetune: {}, stop: { maxIterations: 1 }, output: `${dir}/${out}` });
      return (await runPipeline(validatePipeline(raw, c), { container: c })).iterations[0].chosenKind;
    };
    expect(await run(['head', 'layer', 'filter'], 'a')).toBe('layer');
    expect(await run(['head', 'filter', 'layer'], 'b')).toBe('filter');
    expect(await run('filter', 'c')).toBe('filter'); // the short form of one kind
    expect(await run('first', 'd')).toBe('layer'); // pipeline order: first-block is listed first
  });

  it('chooses by similarity first, then by the tie order, then by listing order', () => {
    const records = [
      { kind: 'filter', similarity: 0.9 },
      { kind: 'token', similarity: 0.9 },
      { kind: 'layer', similarity: 0.9 },
    ];
    expect(chooseCandidate(records, ['layer', 'token'])).toBe(2);
    expect(chooseCandidate(records, ['token'])).toBe(1);
    expect(chooseCandidate(records, [])).toBe(0);
    expect(chooseCandidate([{ kind: 'layer', similarity: 0.8 }, ...records.slice(0, 1)], ['layer'])).toBe(1);
  });
});
