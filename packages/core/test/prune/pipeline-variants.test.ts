import { describe, expect, it } from 'vitest';
import { restrictPruners, validatePipeline } from '../../src/index.js';
import { testContainer, tinyPipeline } from './pipeline-fixtures.js';

describe('restrictPruners', () => {
  const pipeline = validatePipeline(tinyPipeline('/data', { output: 'runs/tiny/' }), testContainer());

  it('keeps only the named pruners and moves the default output beside the full run', () => {
    const layerOnly = restrictPruners(pipeline, ['first-block']);
    expect(layerOnly.pruners.map((p) => p.use)).toEqual(['first-block']);
    expect(layerOnly.output).toBe('runs/tiny-only-first-block');
    expect({ ...layerOnly, pruners: pipeline.pruners, output: pipeline.output }).toEqual(pipeline);
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
