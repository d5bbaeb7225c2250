import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { defineCriterion, definePruner, type Pruner, type SimilarityMetric } from '@omniprune/plugin-api';
import { createPluginContainer, registerPlugin, type PluginContainer } from '../plugin/plugin-container.js';
import { sgdTrainerPlugin } from '../train/sgd-trainer-plugin.js';
import { writeIdxDataset } from './idx-files.js';

/** Test pruner: removes the first removable block after the network's first one. */
export const firstBlockPruner = definePruner({
  name: 'first-block',
  kinds: ['layer'],
  description: 'test',
  options: z.object({}),
  create: (): Pruner => ({
    kind: 'layer',
    async propose(ctx) {
      const perStage = new Map<string, number>();
      for (const b of ctx.graph.blocks) perStage.set(b.stage, (perStage.get(b.stage) ?? 0) + 1);
      const block = ctx.graph.blocks.find((b) => !b.unremovableReason && b.index > 0 && perStage.get(b.stage)! > 2);
      return block
        ? { kind: 'layer', pruner: 'first-block', plans: [{ kind: 'remove-block', block: block.id }], removedUnits: 2, summary: `remove ${block.id}` }
        : null;
    },
  }),
});

/** Test pruner: removes two channels from the non-residual group picked by the iteration's rng. */
export const twoChannelPruner = definePruner({
  name: 'two-channels',
  kinds: ['filter'],
  description: 'test',
  options: z.object({}),
  create: (): Pruner => ({
    kind: 'filter',
    async propose(ctx) {
      const groups = ctx.graph.groups.filter((g) => !g.frozenReason && !g.residual && g.size > 2);
      if (groups.length === 0) return null;
      const g = groups[ctx.rng.int(groups.length)];
      return {
        kind: 'filter',
        pruner: 'two-channels',
        plans: [{ kind: 'remove-channels', group: g.id, indices: [0, 1] }],
        removedUnits: 2,
        summary: `remove 2 of ${g.id}`,
      };
    },
  }),
});

/**
 * Test filter pruner sized by the layer candidate (like `match-layer`): removes as many channels as the layer candidate
 * removed units; `seen` records the kinds of the proposals it was shown. Proposes nothing without a layer candidate.
 */
export function layerSizedPruner(name: string, seen: string[][] = []) {
  return definePruner({
    name,
    kinds: ['filter'],
    description: 'test',
    options: z.object({}),
    create: (): Pruner => ({
      kind: 'filter',
      sizedBy: 'layer',
      async propose(ctx) {
        seen.push(ctx.earlier.map((c) => c.kind));
        const n = ctx.earlier.find((c) => c.kind === 'layer')?.removedUnits;
        const g = n && ctx.graph.groups.find((x) => !x.frozenReason && !x.residual && x.size > n);
        if (!n || !g) return null;
        return {
          kind: 'filter',
          pruner: name,
          plans: [{ kind: 'remove-channels', group: g.id, indices: [...Array(n).keys()] }],
          removedUnits: n,
          summary: `remove ${n} of ${g.id}`,
        };
      },
    }),
  });
}

/** Test similarity: negative mean squared difference of the features. */
export const negMse = defineCriterion({
  name: 'neg-mse',
  role: 'similarity',
  description: 'test',
  options: z.object({}),
  create: (): SimilarityMetric => ({
    role: 'similarity',
    name: 'neg-mse',
    similarity(x, y) {
      const a = Array.isArray(x) ? x.flat() : Array.from(x.dataSync());
      const b = Array.isArray(y) ? y.flat() : Array.from(y.dataSync());
      return -a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length;
    },
  }),
});

/** Test similarity: every pair scores 0.5, so exact ties decide every iteration (the `ties:` order). */
export const constantSimilarity = defineCriterion({
  name: 'constant',
  role: 'similarity',
  description: 'test',
  options: z.object({}),
  create: (): SimilarityMetric => ({ role: 'similarity', name: 'constant', similarity: () => 0.5 }),
});

/**
 * A container with the test plugins (`first-block`, `two-channels`, `neg-mse`, `constant`) and the SGD trainer.
 * @example
 * const c = testContainer(); registerPlugin(c, myPruner); await runPipeline(validatePipeline(tinyPipeline(dir), c), { container: c });
 */
export function testContainer(): PluginContainer {
  const c = createPluginContainer();
  for (const p of [firstBlockPruner, twoChannelPruner, negMse, constantSimilarity, sgdTrainerPlugin]) registerPlugin(c, p as never, 'test');
  return c;
}

/**
 * Write a tiny MNIST-format dataset (8x8, 10 classes) under a new temp folder and return the folder.
 * @example
 * const dir = await tinyDataset(); tinyPipeline(dir).data // { dataset: { name: 'mnist', path: `${dir}/data` }, ... }
 */
export async function tinyDataset(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'omniprune-pipe-'));
  await writeIdxDataset(join(dir, 'data'), { trainCount: 60, testCount: 40, h: 8, w: 8, gz: false });
  return dir;
}

/**
 * A raw pipeline over the tiny dataset with a zoo ResNet-20 trained for one epoch; `overrides` replace top-level keys.
 * @example
 * validatePipeline(tinyPipeline(dir, { stop: { maxIterations: 1 } }), testContainer());
 */
export function tinyPipeline(dir: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'tiny',
    seed: 3,
    backend: 'wasm',
    model: { zoo: 'resnet20', train: { epochs: 1, batchSize: 30, lr: 0.05 } },
    data: { dataset: { name: 'mnist', path: join(dir, 'data') }, augment: [{ type: 'flip' }] },
    pruners: [{ use: 'first-block' }, { use: 'two-channels' }],
    similarity: { use: 'neg-mse', samples: 20 },
    finetune: { candidate: { epochs: 1, batchSize: 30, lr: 0.01 }, winner: { epochs: 1, batchSize: 30, lr: 0.01 } },
    stop: { maxIterations: 3 },
    output: join(dir, 'run'),
    ...overrides,
  };
}
