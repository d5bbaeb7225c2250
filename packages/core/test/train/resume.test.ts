import { beforeAll, describe, expect, it } from 'vitest';
import { createSgdTrainer } from '../../src/train/sgd-trainer.js';
import type { TrainResumeState } from '../../src/train/types.js';
import { convBnClassifier, useCpu } from '../../src/testing/index.js';
import { prototypeDataset, setWeightValues, weightValues } from './fixtures.js';

beforeAll(useCpu);

const train = prototypeDataset(192, 41);
const augment = (x: Float32Array, ctx: { rng: { next(): number } }) => x.map((v) => v + 0.2 * (ctx.rng.next() - 0.5));
const trainer = () =>
  createSgdTrainer({
    epochs: 4,
    batchSize: 32,
    lr: 0.05,
    momentum: 0.9,
    nesterov: true,
    weightDecay: 1e-3,
    seed: 9,
    augment,
    schedule: { type: 'cosine', minLr: 0 },
  });

describe('resuming a training', () => {
  it('after a stop at epoch 2 ends with the same weights and history as an uninterrupted run', async () => {
    const whole = convBnClassifier();
    const full = await trainer().fit(whole, train);

    const first = convBnClassifier();
    let saved: { weights: Float32Array[]; state: TrainResumeState } | undefined;
    const controller = new AbortController();
    const stopped = trainer().fit(first, train, {
      signal: controller.signal,
      onEpochEnd: (state) => {
        if (state.epochsDone === 2) {
          saved = { weights: weightValues(first), state };
          controller.abort(new Error('killed'));
        }
      },
    });
    await expect(stopped).rejects.toThrow('killed');
    expect(saved!.state.optimizer.every((b) => b instanceof Float32Array)).toBe(true);

    const resumed = convBnClassifier({ seed: 77 });
    setWeightValues(resumed, saved!.weights);
    const events: number[] = [];
    const rest = await trainer().fit(resumed, train, { resume: saved!.state, onEvent: (e) => e.type === 'epoch-start' && events.push(e.epoch) });
    expect(events).toEqual([2, 3]);
    expect(rest.epochsRun).toBe(4);
    expect(rest.history.map((h) => h.loss)).toEqual(full.history.map((h) => h.loss));
    const a = weightValues(whole);
    const b = weightValues(resumed);
    for (const [i, w] of a.entries()) expect(Array.from(b[i])).toEqual(Array.from(w));
  });

  it('refuses a state from another model and a resume past the end', async () => {
    const model = convBnClassifier();
    await expect(trainer().fit(model, train, { resume: { epochsDone: 1, history: [], optimizer: [null] } })).rejects.toThrow(/another model/);
    await expect(trainer().fit(model, train, { resume: { epochsDone: 5, history: [], optimizer: [] } })).rejects.toThrow(/epoch 5 of a 4-epoch/);
  });
});

describe('passes per epoch', () => {
  it('reads the batch source passesPerEpoch times per epoch, each pass a different order, the schedule per epoch', async () => {
    const calls: number[] = [];
    const lrs: number[] = [];
    const source = (order: number) => {
      calls.push(order);
      return [{ x: train.images.slice(0, 16 * 16), y: train.labels.slice(0, 16), size: 16 }];
    };
    const result = await createSgdTrainer({ epochs: 2, passesPerEpoch: 3, lr: 0.1, schedule: { type: 'step', milestones: [1], gamma: 0.1 } }).fit(
      convBnClassifier(),
      source,
      { onEvent: (e) => e.type === 'batch-end' && lrs.push(e.lr) },
    );
    expect(calls).toEqual([0, 1, 2, 3, 4, 5]);
    expect(lrs).toEqual([0.1, 0.1, 0.1, 0.1 * 0.1, 0.1 * 0.1, 0.1 * 0.1].map((v) => expect.closeTo(v, 10)));
    expect(result.history).toHaveLength(2);
  });
});
