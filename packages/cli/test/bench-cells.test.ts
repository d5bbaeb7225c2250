import { describe, expect, it } from 'vitest';
import { benchSpecSchema, type BenchSpec } from '../src/bench/bench-spec.js';
import { expandCells } from '../src/bench/cells.js';

const base = {
  name: 'p',
  model: { path: 'model.json' },
  data: { dataset: { name: 'fashion-mnist' } },
  pruners: [{ use: 'layer' }, { use: 'filter', with: { budget: { type: 'match-layer' } } }],
};

function spec(raw: Record<string, unknown>): BenchSpec {
  const parsed = benchSpecSchema.parse({ pipeline: 'p.yaml', metrics: ['linear-cka'], ...raw });
  return { ...parsed, file: '/b/bench.yaml', pipelineFile: '/b/p.yaml', outDir: '/b/out', workerCount: 1 };
}

describe('bench cells', () => {
  it('expands metrics x seeds x arms; an arm keeps the other pruners only to size candidates', () => {
    const cells = expandCells(spec({ seeds: [1, 2], arms: ['all', 'layer', 'filter'] }), base);
    expect(cells.map((c) => c.id)).toEqual([
      'linear-cka__seed-1',
      'linear-cka__seed-1__only-layer',
      'linear-cka__seed-1__only-filter',
      'linear-cka__seed-2',
      'linear-cka__seed-2__only-layer',
      'linear-cka__seed-2__only-filter',
    ]);
    expect(cells.map((c) => c.group).slice(0, 3)).toEqual(['linear-cka [all]', 'linear-cka [layer]', 'linear-cka [filter]']);
    const filterOnly = cells[2].pipeline.pruners as { use: string; sizingOnly: boolean }[];
    expect(filterOnly.map((p) => [p.use, p.sizingOnly])).toEqual([
      ['layer', true],
      ['filter', false],
    ]);
    expect(cells[0].pipeline.pruners).toEqual(base.pruners);
    expect(cells[3].pipeline.seed).toBe(2);
    expect(cells[3].pipeline.model).toEqual({ path: '/b/model.json' });
  });

  it('one arm groups by metric alone and names an arm that is not a pruner of the pipeline', () => {
    expect(expandCells(spec({}), base).map((c) => [c.id, c.group, c.arm])).toEqual([['linear-cka__seed-1', 'linear-cka', 'all']]);
    expect(() => expandCells(spec({ arms: ['heads'] }), base)).toThrow(/bench arms: heads: "heads" is not a pruner of this pipeline/);
  });
});
