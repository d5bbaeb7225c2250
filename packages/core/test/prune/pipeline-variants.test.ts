import { describe, expect, it } from 'vitest';
import { restrictPruners, validatePipeline } from '../../src/index.js';
import { testContainer, tinyPipeline } from '../../src/testing/index.js';

describe('restrictPruners', () => {
  const pipeline = validatePipeline(tinyPipeline('/data', { output: 'runs/tiny/' }), testContainer());

  it('keeps the other pruners only to size candidates and moves the default output beside the full run', () => {
    const layerOnly = restrictPruners(pipeline, ['first-block']);
    expect(layerOnly.pruners.map((p) => [p.use, p.sizingOnly])).toEqual([
      ['first-block', false],
      ['two-channels', true],
    ]);
    expect(layerOnly.output).toBe('runs/tiny-only-first-block');
    expect({ ...layerOnly, pruners: layerOnly.pruners.map((p) => ({ ...p, sizingOnly: false })), output: pipeline.output, source: pipeline.source }).toEqual(
      pipeline,
    );
    // the pipeline as written (what a queue worker validates again) is restricted the same way
    expect(layerOnly.source.pruners).toEqual([
      { use: 'first-block', sizingOnly: false },
      { use: 'two-channels', sizingOnly: true },
    ]);
    expect(layerOnly.source.output).toBe('runs/tiny-only-first-block');
  });

  it('names the unknown pruner and lists the configured ones', () => {
    expect(() => restrictPruners(pipeline, ['heads'])).toThrow(/"heads" is not a pruner of this pipeline/);
    expect(() => restrictPruners(pipeline, [])).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/no pruner named/),
        hint: 'allowed values: first-block, two-channels (comma-separated)',
      }),
    );
  });
});
