import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { coreServices, testPluginContext } from '../../src/index.js';
import { createImportanceCriterion } from '../../src/plugin/index.js';
import { createRng } from '../../src/util/index.js';
import { defineCriterion, z, type BlockImportance, type PrunePlan, type ProposeContext } from '@omniprune/plugin-api';
import { maskPlan } from '../../src/graph/index.js';
import { predictionKl, scoreMasked, scoringSample, tfjsInferenceRunner, type Features, type InferenceRunner } from '../../src/prune/index.js';
import { expectNoLeaks, proposeContext, smallVit, syntheticDataset, useCpu } from '../../src/testing/index.js';

beforeAll(useCpu);

/** A small ViT: heads, removable residual branches and MLP neuron groups, so every kind of mask. */
function proposal(runner?: InferenceRunner): ProposeContext {
  return proposeContext(smallVit(), { seed: 9, train: syntheticDataset({ count: 40, shape: [8, 8, 1], classes: 4, seed: 4 }), runner });
}

const MASKS: PrunePlan[] = [
  { kind: 'remove-heads', layer: 't0_attn', heads: [1] },
  { kind: 'remove-block', block: 't1_add1' },
  { kind: 'remove-channels', group: 't0_mlp_fc1', indices: [0, 5] },
  { kind: 'remove-heads', layer: 't1_attn', heads: [0, 3] },
];

const weightsOf = (model: tfl.LayersModel): Float32Array[] => model.getWeights().map((w) => w.dataSync().slice() as Float32Array);

/** The TF.js runner, recording its passes. */
function spyRunner(): InferenceRunner & { readonly calls: string[] } {
  const calls: string[] = [];
  return {
    ...tfjsInferenceRunner,
    name: 'spy',
    calls,
    capture: (model, layer, ds, batchSize) => (calls.push(`capture:${layer}:${ds.count}`), tfjsInferenceRunner.capture(model, layer, ds, batchSize)),
    predictLogits: (model, ds, batchSize) => (calls.push(`logits:${ds.count}`), tfjsInferenceRunner.predictLogits(model, ds, batchSize)),
  };
}

describe('scoreMasked', () => {
  it("scores each plan masked alone: the measure of the parent and the masked readout, on the run's runner", async () => {
    const runner = spyRunner();
    const pc = proposal(runner);
    const measured: [Features, Features][] = [];
    const scores = await expectNoLeaks(() =>
      scoreMasked(pc, {
        samplesPerClass: 5,
        masks: MASKS,
        readout: { kind: 'logits' },
        measure: (parent, masked) => (measured.push([parent, masked]), predictionKl(parent, masked)),
      }),
    );
    expect(runner.calls).toEqual(Array.from({ length: 1 + MASKS.length }, () => 'logits:20')); // the parent once, then each mask
    const sample = scoringSample(pc, 5);
    const parent = await tfjsInferenceRunner.predictLogits(pc.parent, sample);
    for (const [i, plan] of MASKS.entries()) {
      const restore = maskPlan(pc.parent, pc.graph, plan);
      const masked = await tfjsInferenceRunner.predictLogits(pc.parent, sample);
      restore();
      expect(measured[i][0]).toEqual({ data: parent, rows: 20, cols: 4 });
      expect(measured[i][1]).toEqual({ data: masked, rows: 20, cols: 4 });
      expect(scores[i]).toBe(predictionKl(measured[i][0], measured[i][1]));
      expect(scores[i]).toBeGreaterThan(0);
    }
    pc.parent.dispose();
  });

  it('draws one sample and reads the parent once per proposal, sample size, readout and batch size', async () => {
    const runner = spyRunner();
    const pc = proposal(runner);
    const read = { samplesPerClass: 3, readout: { kind: 'features', layer: 'gap' }, measure: () => 0 } as const;
    await scoreMasked(pc, { ...read, masks: MASKS.slice(0, 1) });
    const state = pc.rng.state();
    await scoreMasked(pc, { ...read, masks: MASKS.slice(1, 3) });
    expect(pc.rng.state()).toBe(state); // no new sample
    expect(runner.calls).toEqual(Array.from({ length: 4 }, () => 'capture:gap:12')); // one parent capture, three masked
    runner.calls.length = 0;
    await scoreMasked(pc, { ...read, masks: [], readout: { kind: 'features', layer: 't1_attn' } });
    await scoreMasked(pc, { ...read, masks: [], batchSize: 7 });
    await scoreMasked(pc, { ...read, masks: [], samplesPerClass: 2 });
    expect(runner.calls).toEqual(['capture:t1_attn:12', 'capture:gap:12', 'capture:gap:8']);
    expect(pc.rng.state()).not.toBe(state); // the other sample size drew its own sample
    expect(scoringSample({ ...pc }, 3)).not.toBe(scoringSample(pc, 3)); // another proposal, another sample
    pc.parent.dispose();
  });

  it('concurrent calls on one model run one after the other: the same scores as in sequence', async () => {
    const scoring = (masks: PrunePlan[]) => ({ samplesPerClass: 4, masks, readout: { kind: 'logits' }, measure: predictionKl }) as const;
    const sequential = proposal();
    const inTurn = [await scoreMasked(sequential, scoring(MASKS.slice(0, 2))), await scoreMasked(sequential, scoring(MASKS.slice(2)))];
    const concurrent = { ...sequential, rng: createRng(9) };
    const before = weightsOf(concurrent.parent);
    expect(await Promise.all([scoreMasked(concurrent, scoring(MASKS.slice(0, 2))), scoreMasked(concurrent, scoring(MASKS.slice(2)))])).toEqual(inTurn);
    expect(weightsOf(concurrent.parent)).toEqual(before);
    sequential.parent.dispose();
  });

  it('a measure throwing midway leaves every weight as it was', async () => {
    const pc = proposal();
    const before = weightsOf(pc.parent);
    let calls = 0;
    const measure = (): number => {
      if (++calls === 2) throw new Error('measure failed');
      return 1;
    };
    await expectNoLeaks(() =>
      expect(scoreMasked(pc, { samplesPerClass: 5, masks: MASKS, readout: { kind: 'logits' }, measure })).rejects.toThrow('measure failed'),
    );
    expect(calls).toBe(2);
    expect(weightsOf(pc.parent)).toEqual(before);
    pc.parent.dispose();
  });

  it('a forward pass throwing on a masked model, or a plan that cannot be masked, leaves every weight as it was', async () => {
    let passes = 0;
    const failing: InferenceRunner = {
      ...tfjsInferenceRunner,
      capture: (model, layer, ds, batchSize) => {
        if (++passes === 3) throw new Error('runner failed');
        return tfjsInferenceRunner.capture(model, layer, ds, batchSize);
      },
    };
    const pc = proposal(failing);
    const before = weightsOf(pc.parent);
    const scoring = { samplesPerClass: 5, masks: MASKS, readout: { kind: 'features', layer: 'gap' }, measure: () => 1 } as const;
    await expect(scoreMasked(pc, scoring)).rejects.toThrow('runner failed');
    expect(weightsOf(pc.parent)).toEqual(before);
    const unknown: PrunePlan = { kind: 'remove-channels', group: 'nope', indices: [0] };
    await expect(scoreMasked(pc, { ...scoring, masks: [MASKS[0], unknown] })).rejects.toMatchObject({ code: 'E_BAD_PLAN' });
    expect(weightsOf(pc.parent)).toEqual(before);
    pc.parent.dispose();
  });

  it('is the service plugins reach through ctx.services, in every context core builds', async () => {
    expect(coreServices.scoring).toEqual({ scoreMasked, sample: scoringSample, predictionKl });
    const probe = defineCriterion({
      name: 'probe',
      role: 'block-importance',
      description: 'scores blocks through ctx.services',
      options: z.strictObject({}),
      create: (_options, ctx): BlockImportance => ({
        role: 'block-importance',
        name: 'probe',
        scoreBlocks: (pc, blocks) =>
          ctx.services!.scoring.scoreMasked(pc, {
            samplesPerClass: 2,
            masks: blocks.map((b) => ({ kind: 'remove-block', block: b.id })),
            readout: { kind: 'logits' },
            measure: ctx.services!.scoring.predictionKl,
          }),
      }),
    });
    // the built-ins fallback of a pruner created without a container fills the services of a bare context
    const criterion = await createImportanceCriterion<BlockImportance>(
      { log: () => {}, seed: 1 },
      {
        name: 'probe',
        options: {},
        role: 'block-importance',
        method: 'scoreBlocks',
        builtins: [probe],
        pruner: 'pruner:test',
      },
    );
    const pc = proposal();
    const blocks = pc.graph.blocks.filter((b) => !b.unremovableReason);
    expect(await criterion.scoreBlocks(pc, blocks)).toHaveLength(blocks.length);
    expect(testPluginContext().services).toBe(coreServices);
    pc.parent.dispose();
  });
});
