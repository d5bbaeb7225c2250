import { describe, expect, it } from 'vitest';
import { benchSpecSchema, type BenchSpec } from '../src/bench/bench-spec.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { expandCells, metricLabel } from '../src/bench/cells.js';
import { cellPipeline, earlierResult } from '../src/bench/run-cells.js';

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

  it('gives metric variants that differ only in with: cells of their own, and refuses the same metric twice', () => {
    const metrics = [{ use: 'rbf-cka', with: { threshold: 0.5 } }, { use: 'rbf-cka', with: { threshold: 2 } }, 'linear-cka'];
    const cells = expandCells(spec({ metrics }), base);
    expect(cells.map((c) => c.id)).toEqual(['rbf-cka_threshold_0.5___seed-1', 'rbf-cka_threshold_2___seed-1', 'linear-cka__seed-1']);
    expect(cells.map((c) => c.metric)).toEqual(['rbf-cka(threshold=0.5)', 'rbf-cka(threshold=2)', 'linear-cka']);
    expect(cells.map((c) => (c.pipeline.similarity as { with?: unknown }).with)).toEqual([{ threshold: 0.5 }, { threshold: 2 }, undefined]);
    expect(metricLabel({ use: 'output-kl', layer: 'logits', samples: 500 })).toBe('output-kl@logits(samples=500)');
    expect(() =>
      expandCells(
        spec({
          metrics: [
            { use: 'rbf-cka', with: { threshold: 2 } },
            { use: 'rbf-cka', with: { threshold: 2 } },
          ],
        }),
        base,
      ),
    ).toThrow(/metrics\[1\]: "rbf-cka\(threshold=2\)" is listed twice/);
  });

  it('keeps long grid values apart in the cell ids', () => {
    const long = (n: number) => ({ type: 'pad-crop', pad: n, note: 'a value much longer than forty characters in all' });
    const ids = expandCells(spec({ grid: { 'data.augment': [[long(1)], [long(2)]] } }), base).map((c) => c.id);
    expect(new Set(ids).size).toBe(2);
  });

  it("reuses a finished cell only when its folder ran this cell's pipeline", async () => {
    const [cell] = expandCells(spec({}), base);
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-cell-'));
    expect(await earlierResult(cell, dir)).toBeUndefined(); // nothing ran yet
    // a run stopped in its final recovery has its final row but not its final model: it is resumed, not reused
    await writeFile(join(dir, 'report.json'), JSON.stringify({ name: 'p', final: { iteration: 1 } }));
    await writeFile(join(dir, 'pipeline.yaml'), stringify(cellPipeline(cell, dir)));
    expect(await earlierResult(cell, dir)).toBeUndefined();
    await rm(join(dir, 'pipeline.yaml'));
    await writeFile(join(dir, 'report.json'), JSON.stringify({ name: 'p', final: { iteration: 1, files: ['final/model.json'] } }));
    const missing = await earlierResult(cell, dir);
    expect(missing?.status).toBe('failed'); // a finished run whose settings are unknown is not taken for this cell
    await writeFile(join(dir, 'pipeline.yaml'), stringify({ ...cellPipeline(cell, dir), seed: 9 }));
    expect((await earlierResult(cell, dir))?.error).toMatch(/holds a finished run of other settings/);
    await writeFile(join(dir, 'pipeline.yaml'), stringify(cellPipeline(cell, dir)));
    expect(await earlierResult(cell, dir, new Map([[cell.id, 12]]))).toMatchObject({ status: 'done', reused: true, seconds: 12 });
  });
});
