import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPluginContainer, registerPlugin, runPipeline, validatePipeline, type PluginContainer } from '../../src/index.js';
import { defineCriterion, definePruner, type Pruner, type SimilarityMetric } from '@omniprune/plugin-api';
import { sgdTrainerPlugin } from '../../src/train/index.js';
import { expectNoLeaks, firstBlockPruner, layerSizedPruner, negMse, tinyDataset, tinyPipeline, twoChannelPruner, useWasm } from '../../src/testing/index.js';

beforeAll(useWasm);

/** A pruner whose propose throws a plain TypeError from the iteration `failAt` on. */
const brokenPruner = definePruner({
  name: 'broken',
  description: 'test',
  options: z.object({ failAt: z.number().default(1) }),
  create: ({ failAt }): Pruner => ({
    kind: 'filter',
    async propose(ctx) {
      if (ctx.iteration >= failAt) throw new TypeError("Cannot read properties of undefined (reading 'size')");
      return null;
    },
  }),
});

/** A similarity that works for `okCalls` calls, then throws. */
let similarityCalls = 0;
const flakySimilarity = defineCriterion({
  name: 'flaky',
  role: 'similarity',
  description: 'test',
  options: z.object({ okCalls: z.number().default(0) }),
  create: ({ okCalls }): SimilarityMetric => ({
    role: 'similarity',
    name: 'flaky',
    similarity() {
      if (similarityCalls++ >= okCalls) throw new RangeError('matrix is singular');
      return 1;
    },
  }),
});

const seenEarlier: string[][] = [];
const matchingPruner = layerSizedPruner('matching', seenEarlier);

function container(): PluginContainer {
  const c = createPluginContainer();
  for (const p of [firstBlockPruner, twoChannelPruner, negMse, sgdTrainerPlugin, brokenPruner, flakySimilarity, matchingPruner])
    registerPlugin(c, p as never, 'test');
  return c;
}

describe("the orchestrator's contract with plugins", () => {
  it('names the pruner whose propose threw', async () => {
    const dir = await tinyDataset();
    const c = container();
    const p = validatePipeline(tinyPipeline(dir, { pruners: [{ use: 'first-block' }, { use: 'broken' }] }), c);
    await expect(runPipeline(p, { container: c })).rejects.toThrow(/\[pruner:broken\] propose failed: Cannot read properties[\s\S]*hint: /);
  });

  it('names the similarity that threw and frees the candidates and the parent of the failed iteration', async () => {
    const dir = await tinyDataset();
    const c = container();
    const p = validatePipeline(tinyPipeline(dir, { similarity: { use: 'flaky', with: { okCalls: 1 }, samples: 20 }, finetune: {} }), c);
    similarityCalls = 0;
    // the base model was trained inside the run: only what the run itself keeps alive may remain (nothing)
    const err = (await expectNoLeaks(() => runPipeline(p, { container: c }).catch((e: unknown) => e))) as { code: string; message: string };
    expect(err.code).toBe('E_PLUGIN_FAILED');
    expect(err.message).toMatch(/\[criterion:flaky\] similarity failed: matrix is singular/);
  });

  it('checks every plugin before loading data or training a base model', async () => {
    const dir = await tinyDataset();
    const c = container();
    const p = validatePipeline(
      tinyPipeline(dir, { data: { dataset: { name: 'mnist', path: join(dir, 'nowhere') } }, pruners: [{ use: 'broken', with: { failAt: 1 } }] }),
      c,
    );
    const events: string[] = [];
    registerPlugin(
      c,
      definePruner({
        name: 'refuses',
        description: 'test',
        options: z.object({}),
        create: () => {
          throw new Error('needs a GPU');
        },
      }) as never,
      'test',
    );
    const q = validatePipeline(
      { ...tinyPipeline(dir, { data: { dataset: { name: 'mnist', path: join(dir, 'nowhere') } } }), pruners: [{ use: 'refuses' }] },
      c,
    );
    await expect(runPipeline(q, { container: c, onEvent: (e) => events.push(e.type) })).rejects.toThrow(/pruner:refuses.*failed to start: needs a GPU/);
    expect(events).not.toContain('train');
    await expect(runPipeline(p, { container: c })).rejects.toThrow(/nowhere|not found/);
  });

  it('resumes when only settings that do not shape results changed (stop, output, runner, export)', async () => {
    const dir = await tinyDataset();
    const c = container();
    const out = join(dir, 'run');
    const abort = new AbortController();
    const first = validatePipeline(tinyPipeline(dir, { stop: { maxIterations: 3 } }), c);
    await expect(
      runPipeline(first, { container: c, signal: abort.signal, onEvent: (e) => e.type === 'iteration-end' && abort.abort(new Error('killed')) }),
    ).rejects.toThrow(/killed/);
    const changed = validatePipeline(tinyPipeline(dir, { stop: { maxIterations: 2 }, runner: 'tfjs', export: { onnx: true }, name: 'renamed' }), c);
    const report = await runPipeline(changed, { container: c });
    expect(report.iterations).toHaveLength(2);
    expect(JSON.parse(await readFile(join(out, 'state.json'), 'utf8')).completed).toBe(2);
    const reseeded = validatePipeline(tinyPipeline(dir, { seed: 9 }), c);
    await expect(runPipeline(reseeded, { container: c })).rejects.toThrow(/different pipeline/);
  });

  it('asks a pruner sized by the layer candidate after the layer pruner, whatever their order in the pipeline', async () => {
    const dir = await tinyDataset();
    const c = container();
    seenEarlier.length = 0;
    const report = await runPipeline(
      validatePipeline(tinyPipeline(dir, { pruners: [{ use: 'matching' }, { use: 'first-block' }], finetune: {}, stop: { maxIterations: 1 } }), c),
      { container: c },
    );
    expect(seenEarlier[0]).toEqual(['layer']);
    const [first] = report.iterations;
    expect(first.candidates.map((x) => x.kind)).toEqual(['filter', 'layer']); // listed in pipeline order
    expect(first.candidates[0].removedUnits).toBe(first.candidates[1].removedUnits);
  });
});
