import { beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { pipelineDataSpec } from '../../src/prune/index.js';
import { registerPlugin, restrictPruners, runPipeline, validatePipeline } from '../../src/index.js';
import { layerSizedPruner, testContainer, tinyDataset, tinyPipeline, useWasm } from '../../src/testing/index.js';

beforeAll(useWasm);

function setup(seen: string[][], overrides: Record<string, unknown> = {}) {
  const c = testContainer();
  registerPlugin(c, layerSizedPruner('sized-channels', seen) as never, 'test');
  return { c, raw: (dir: string) => tinyPipeline(dir, { pruners: [{ use: 'first-block' }, { use: 'sized-channels' }], ...overrides }) };
}

describe('matched baselines (run --only)', () => {
  it('filter-only still asks the layer pruner each iteration to size its candidate, and scores only the filter one', async () => {
    const dir = await tinyDataset();
    const seen: string[][] = [];
    const { c, raw } = setup(seen, { stop: { maxIterations: 2 } });
    const filterOnly = restrictPruners(validatePipeline(raw(dir), c), ['sized-channels']);
    expect(filterOnly.pruners.map((p) => [p.use, p.sizingOnly])).toEqual([
      ['first-block', true],
      ['sized-channels', false],
    ]);
    const logs: string[] = [];
    const report = await runPipeline(filterOnly, { container: c, onEvent: (e) => e.type === 'log' && logs.push(e.message) });
    expect(report.pruners).toEqual(['sized-channels']);
    expect(report.iterations).toHaveLength(2);
    for (const it of report.iterations) {
      expect(it.candidates.map((x) => x.kind)).toEqual(['filter']);
      expect(it.chosenKind).toBe('filter');
    }
    // the layer pruner proposed every iteration (its candidate sized the filter one) but was never built
    expect(seen).toEqual([['layer'], ['layer']]);
    expect(report.iterations.map((i) => i.candidates[0].summary)).toEqual(seen.map(() => expect.stringMatching(/^remove 2 of /)));
    expect(logs).toContain('pruner first-block only sizes the candidates of sized-channels');
  });

  it('layer-only drops a pruner nobody is sized by: it never proposes', async () => {
    const dir = await tinyDataset();
    const seen: string[][] = [];
    const { c, raw } = setup(seen, { stop: { maxIterations: 1 }, finetune: {} });
    const report = await runPipeline(restrictPruners(validatePipeline(raw(dir), c), ['first-block']), { container: c });
    expect(report.pruners).toEqual(['first-block']);
    expect(report.iterations[0].candidates.map((x) => x.kind)).toEqual(['layer']);
    expect(seen).toEqual([]);
  });

  it('refuses a pipeline where every pruner is sizing-only', () => {
    const { c, raw } = setup([]);
    const all = raw('/data') as { pruners: Record<string, unknown>[] };
    expect(() => validatePipeline({ ...all, pruners: all.pruners.map((p) => ({ ...p, sizingOnly: true })) }, c)).toThrow(/every pruner is sizingOnly/);
  });
});

describe('what a seed varies', () => {
  it("draws the training and test subsets with the pipeline's seed unless data.dataset.seed pins them", () => {
    const c = testContainer();
    const spec = (seed: number, dataset: Record<string, unknown> = {}) =>
      pipelineDataSpec(validatePipeline(tinyPipeline('/data', { seed, data: { dataset: { name: 'mnist', path: 'data', trainSubset: 30, ...dataset } } }), c))
        .dataset as { seed: number; path: string };
    expect(spec(4).seed).toBe(4);
    expect(spec(5).seed).toBe(5);
    expect(spec(5, { seed: 0 }).seed).toBe(0);
    expect(spec(5).path).toBe(resolve('data'));
  });
});
