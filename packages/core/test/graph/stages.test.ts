import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlans } from '../../src/graph/apply-plan.js';
import { buildDependencyGraph } from '../../src/graph/dependency-graph.js';
import { formatStages, stageSummary } from '../../src/graph/stages.js';
import { resnet } from '../../src/zoo/index.js';
import { useCpu } from '../../src/testing/index.js';

beforeAll(useCpu);

describe('stageSummary', () => {
  it('gives each stage its residual width, the blocks left and every block inner width after pruning', async () => {
    const base = resnet({ depth: 20, inputShape: [8, 8, 1], classes: 3, seed: 1 });
    expect(stageSummary(buildDependencyGraph(base)).map((s) => [s.width, s.blocks, s.innerWidths.flat()])).toEqual([
      [16, 3, [16, 16, 16]],
      [32, 3, [32, 32, 32]],
      [64, 3, [64, 64, 64]],
    ]);
    const pruned = await applyPlans(base, [
      { kind: 'remove-block', block: 's2_b1_add' },
      { kind: 'remove-channels', group: 's1_b1_conv1', indices: [0, 1, 2, 3] },
      { kind: 'remove-channels', group: 'stem_conv', indices: [5] },
    ]);
    const stages = stageSummary(buildDependencyGraph(pruned));
    expect(stages.map((s) => [s.group, s.width, s.blocks, s.innerWidths.flat()])).toEqual([
      ['stem_conv', 15, 3, [16, 12, 16]],
      ['s2_b0_proj_conv', 32, 2, [32, 32]],
      ['s3_b0_proj_conv', 64, 3, [64, 64, 64]],
    ]);
    expect(formatStages(stages)[0]).toBe('stage 1 (stem_conv): 15 channels, 3 blocks, inner widths 16 12 16');
  });

  it('is empty for a model without residual blocks', () => {
    const input = tfl.input({ shape: [4, 4, 1] });
    const conv = tfl.layers.conv2d({ filters: 3, kernelSize: 3 }).apply(input) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2 }).apply(tfl.layers.flatten().apply(conv)) as tfl.SymbolicTensor;
    expect(stageSummary(buildDependencyGraph(tfl.model({ inputs: input, outputs: out })))).toEqual([]);
  });
});
