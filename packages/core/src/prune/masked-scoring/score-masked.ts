import type * as tfl from '@tensorflow/tfjs-layers';
import type { Features, MaskedReadout, MaskedScoring } from '@omniprune/plugin-api';
import type { ImageDataset } from '../../data/types.js';
import { maskPlan } from '../../graph/masking.js';
import { runnerOf } from '../inference-runner.js';
import type { ProposeContext } from '../pruner-types.js';
import { scoringSample } from './scoring-sample.js';

/** A masked-scoring request and what it reads (declared in `@omniprune/plugin-api`). */
export type { MaskedScoring, MaskedReadout };

/** The parent's readouts per proposal, keyed by sample size, readout and batch size. */
const parents = new WeakMap<ProposeContext, Map<string, Promise<Features>>>();

/** The last scoring queued on each model: masks are in place, so calls on one model run one after the other. */
const queues = new WeakMap<tfl.LayersModel, Promise<unknown>>();

function oneAtATime<T>(model: tfl.LayersModel, work: () => Promise<T>): Promise<T> {
  const result = (queues.get(model) ?? Promise.resolve()).then(work);
  queues.set(
    model,
    result.catch(() => undefined),
  );
  return result;
}

/** The readout of `pc.parent` as its weights are now, on the proposal's runner. */
async function read(pc: ProposeContext, sample: ImageDataset, readout: MaskedReadout, batchSize: number | undefined): Promise<Features> {
  const runner = runnerOf(pc);
  if (readout.kind === 'features') return runner.capture(pc.parent, readout.layer, sample, batchSize);
  return { data: await runner.predictLogits(pc.parent, sample, batchSize), rows: sample.count, cols: sample.numClasses };
}

/** The unmasked parent's readout, computed once per proposal and key (a failed pass is not kept). */
function parentReadout(pc: ProposeContext, sample: ImageDataset, scoring: MaskedScoring): Promise<Features> {
  const { readout, batchSize } = scoring;
  const key = JSON.stringify([scoring.samplesPerClass, readout.kind, readout.kind === 'features' ? readout.layer : '', batchSize ?? null]);
  const byKey = parents.get(pc) ?? new Map<string, Promise<Features>>();
  parents.set(pc, byKey);
  let features = byKey.get(key);
  if (!features) {
    features = read(pc, sample, readout, batchSize);
    byKey.set(key, features);
    features.catch(() => byKey.delete(key));
  }
  return features;
}

/**
 * Score structures by masking each alone: for every plan of `scoring.masks`, mask it in place on `pc.parent`
 * (`maskPlan`: channels zeroed, block bypassed, heads zeroed), read the model on the proposal's scoring sample
 * (`scoringSample`) on the run's inference runner (`runnerOf(pc)`), undo the mask in a `finally`, and score
 * `measure(parent readout, masked readout)`; a runner with `readMasked` (onnxruntime) reads every mask of the call in
 * one session. The sample and the parent's readout are computed once per proposal and
 * shared by every call (every group, layer or block of that proposal). A throwing mask, forward pass or measure
 * leaves every weight as it was. Concurrent calls on one model are run one after the other.
 * @example
 * const scores = await scoreMasked(pc, {
 *   samplesPerClass: 50, masks: blocks.map((b) => ({ kind: 'remove-block', block: b.id })),
 *   readout: { kind: 'logits' }, measure: predictionKl,
 * }); // one score per block
 */
export async function scoreMasked(pc: ProposeContext, scoring: MaskedScoring): Promise<number[]> {
  const sample = scoringSample(pc, scoring.samplesPerClass); // drawn in call order, whatever waits below
  return oneAtATime(pc.parent, async () => {
    const parent = await parentReadout(pc, sample, scoring);
    const runner = runnerOf(pc);
    if (runner.readMasked) {
      // one session for every mask of the call (onnxruntime): same readouts as masking and reading one at a time
      const masks = scoring.masks.map((plan) => () => maskPlan(pc.parent, pc.graph, plan));
      const readouts = await runner.readMasked(pc.parent, masks, scoring.readout, sample, scoring.batchSize);
      return readouts.map((masked) => scoring.measure(parent, masked));
    }
    const scores: number[] = [];
    for (const plan of scoring.masks) {
      const restore = maskPlan(pc.parent, pc.graph, plan);
      let masked: Features;
      try {
        masked = await read(pc, sample, scoring.readout, scoring.batchSize);
      } finally {
        restore();
      }
      scores.push(scoring.measure(parent, masked));
    }
    return scores;
  });
}
