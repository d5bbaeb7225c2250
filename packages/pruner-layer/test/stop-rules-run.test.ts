import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerPlugin, runPipeline, validatePipeline } from '@omniprune/core';
import { testContainer, tinyDataset, tinyPipeline, useWasm } from '@omniprune/core/testing';
import { plugins } from '../src/index.js';

beforeAll(useWasm);

describe("the layer pruner's stop rules in a run", () => {
  it('stops when the layer pruner has nothing left under whenNoLayerCandidate: stop, goes on with filters otherwise', async () => {
    const dir = await tinyDataset();
    const c = testContainer();
    for (const p of plugins) registerPlugin(c, p as never, '@omniprune/pruner-layer');
    // a constant similarity: every iteration ties and the layer candidate wins, until no block is left to remove
    const base = {
      finetune: {},
      pruners: [{ use: 'layer', with: { criterion: 'block-l1' } }, { use: 'two-channels' }],
      ties: 'layer',
      similarity: { use: 'constant', samples: 20 },
    };
    const stopped = await runPipeline(
      validatePipeline(tinyPipeline(dir, { ...base, output: join(dir, 'a'), stop: { maxIterations: 8, whenNoLayerCandidate: 'stop' } }), c),
      { container: c },
    );
    expect(stopped.stopReason).toBe('no-layer-candidate');
    const layerIterations = stopped.iterations.length;
    expect(layerIterations).toBe(3); // one removable block per stage of the ResNet-20 (the first block and 2 per stage kept)
    expect(stopped.iterations.every((it) => it.chosenKind === 'layer')).toBe(true);
    const going = await runPipeline(validatePipeline(tinyPipeline(dir, { ...base, output: join(dir, 'b'), stop: { maxIterations: layerIterations + 2 } }), c), {
      container: c,
    });
    expect(going.stopReason).toBe('max-iterations');
    expect(going.iterations.slice(layerIterations).every((it) => it.candidates.every((x) => x.kind === 'filter'))).toBe(true);
  });

  it('refuses a FLOPs target beyond the layer-only ceiling before any pruning', async () => {
    const dir = await tinyDataset();
    const c = testContainer();
    for (const p of plugins) registerPlugin(c, p as never, '@omniprune/pruner-layer');
    const raw = tinyPipeline(dir, { pruners: [{ use: 'layer', with: { criterion: 'block-l1' } }], finetune: {}, stop: { flopsReduction: 0.95 } });
    await expect(runPipeline(validatePipeline(raw, c), { container: c })).rejects.toThrow(/beyond the layer-only ceiling/);
  });
});
