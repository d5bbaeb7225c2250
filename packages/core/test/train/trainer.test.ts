import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageDataset } from '../../src/data/types.js';
import { isOmnipruneError } from '../../src/errors/omniprune-error.js';
import { datasetBatches } from '../../src/train/batches.js';
import { predict, predictLogits } from '../../src/train/forward.js';
import { createSgdTrainer } from '../../src/train/sgd-trainer.js';
import type { TrainEvent } from '../../src/train/types.js';
import { convBnClassifier, expectNoLeaks, mlpClassifier, useCpu } from '../../src/testing/index.js';
import { prototypeDataset, weightValues } from './fixtures.js';

beforeAll(useCpu);

const train = prototypeDataset(512, 21);
const test = prototypeDataset(256, 22);

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('learning a linearly separable task', () => {
  for (const [name, build] of [
    ['MLP', mlpClassifier],
    ['conv+BN', convBnClassifier],
  ] as const) {
    it(`${name} reaches > 95% test accuracy`, async () => {
      const model = build();
      const trainer = createSgdTrainer({ epochs: 6, batchSize: 32, lr: 0.05, seed: 1 });
      const before = await trainer.evaluate(model, test);
      const result = await trainer.fit(model, train, { validation: test });
      const after = await trainer.evaluate(model, test);
      expect(result.epochsRun).toBe(6);
      expect(after.accuracy).toBeGreaterThan(0.95);
      expect(after.loss).toBeLessThan(before.loss);
      expect(result.history[5].val).toEqual(after);
    });
  }
});

describe('fit', () => {
  it('updates the BatchNormalization moving mean (model applied with training: true)', async () => {
    const model = convBnClassifier();
    const movingMean = () => Array.from(model.getLayer('bn').getWeights()[2].dataSync());
    const before = movingMean();
    const oneBatch = (): Iterable<{ x: Float32Array; y: Int32Array; size: number }> => [
      { x: train.images.slice(0, 16 * 16), y: train.labels.slice(0, 16), size: 16 },
    ];
    await createSgdTrainer({ epochs: 1 }).fit(model, oneBatch);
    const after = movingMean();
    expect(after).not.toEqual(before);
    expect(before).toEqual([0, 0, 0, 0]);
  });

  it('is deterministic for a seed on the cpu backend (shuffle and augment rng)', async () => {
    const augment = (x: Float32Array, ctx: { rng: { next(): number } }) => x.map((v) => v + 0.1 * (ctx.rng.next() - 0.5));
    const run = async (seed: number): Promise<Float32Array[]> => {
      const model = convBnClassifier();
      await createSgdTrainer({ epochs: 1, batchSize: 32, lr: 0.05, seed, augment }).fit(model, train);
      return weightValues(model);
    };
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expect(a.map((w) => Array.from(w))).toEqual(b.map((w) => Array.from(w)));
    expect(a.map((w) => Array.from(w))).not.toEqual(c.map((w) => Array.from(w)));
  });

  it('emits epoch-start, batch-end and epoch-end events with progress fields', async () => {
    const events: TrainEvent[] = [];
    const source = datasetBatches(train, { batchSize: 128, seed: 3 });
    await createSgdTrainer({ epochs: 2 }).fit(mlpClassifier(), source, { validation: test, onEvent: (e) => events.push(e) });
    expect(events.map((e) => e.type)).toEqual([
      'epoch-start',
      'batch-end',
      'batch-end',
      'batch-end',
      'batch-end',
      'epoch-end',
      'epoch-start',
      'batch-end',
      'batch-end',
      'batch-end',
      'batch-end',
      'epoch-end',
    ]);
    expect(events[1].stepsPerEpoch).toBeUndefined(); // a BatchSource's length is learnt in the first epoch
    expect(Number.isNaN(events[1].etaSeconds)).toBe(true);
    const late = events[8];
    expect(late).toMatchObject({ epoch: 1, epochs: 2, step: 2, stepsPerEpoch: 4 });
    expect(late.imagesPerSecond).toBeGreaterThan(0);
    expect(late.etaSeconds).toBeGreaterThanOrEqual(0);
    expect(events[5].val?.accuracy).toBeGreaterThanOrEqual(0);
    expect(events[5].loss).toBeGreaterThan(0);
  });

  it('stops early and restores the best weights', async () => {
    // Validation labels are shifted: learning the training task makes validation worse.
    const flipped: ImageDataset = { ...test, labels: test.labels.map((l) => (l + 1) % 3) };
    const snapshots: Float32Array[][] = [];
    const model = mlpClassifier();
    const result = await createSgdTrainer({
      epochs: 20,
      batchSize: 32,
      lr: 0.05,
      earlyStopping: { patience: 2, monitor: 'val_loss' },
    }).fit(model, train, { validation: flipped, onEvent: (e) => e.type === 'epoch-end' && snapshots.push(weightValues(model)) });
    const valLosses = result.history.map((h) => h.val!.loss);
    const best = valLosses.indexOf(Math.min(...valLosses));
    expect(result.stoppedEarly).toBe(true);
    expect(result.epochsRun).toBe(best + 3);
    expect(result.restoredEpoch).toBe(best);
    expect(result.bestMonitorValue).toBe(valLosses[best]);
    expect(weightValues(model)).toEqual(snapshots[best]);
    expect((await createSgdTrainer().evaluate(model, flipped)).loss).toBeCloseTo(valLosses[best], 6);
  });

  it('needs a validation set for early stopping', async () => {
    const err = await rejection(createSgdTrainer({ earlyStopping: {} }).fit(mlpClassifier(), train));
    expect(isOmnipruneError(err, 'E_BAD_INPUT')).toBe(true);
    expect(err.message).toMatch(/early stopping needs a validation set/);
  });

  it('rejects with E_NAN_LOSS for a huge learning rate', async () => {
    const err = await rejection(createSgdTrainer({ epochs: 50, batchSize: 32, lr: 1e6, momentum: 0.9 }).fit(mlpClassifier(), train));
    expect(isOmnipruneError(err, 'E_NAN_LOSS')).toBe(true);
    expect(err.message).toMatch(/training loss is (NaN|-?Infinity) at epoch \d+\/50, step \d+ \(lr 1000000\)/);
    expect(err.message).toMatch(/hint: lower the learning rate \(e\.g\. lr: 100000\)/);
  });

  it('rejects with E_NAN_LOSS on NaN input without touching the weights', async () => {
    const images = train.images.slice(0, 64 * 16);
    images[5 * 16 + 3] = NaN;
    const poisoned: ImageDataset = { ...train, images, labels: train.labels.slice(0, 64), count: 64 };
    const model = mlpClassifier();
    const before = weightValues(model);
    const err = await rejection(createSgdTrainer({ batchSize: 64 }).fit(model, poisoned));
    expect(isOmnipruneError(err, 'E_NAN_LOSS')).toBe(true);
    expect(err.message).toMatch(/epoch 1\/10, step 1/);
    expect(weightValues(model)).toEqual(before);
  });

  it('rejects mismatched data with E_BAD_INPUT', async () => {
    const wrong: ImageDataset = { ...train, numClasses: 5 };
    const err = await rejection(createSgdTrainer().fit(mlpClassifier(), wrong));
    expect(isOmnipruneError(err, 'E_BAD_INPUT')).toBe(true);
    expect(err.message).toMatch(/5 classes but model .* outputs 3/);
  });

  it('rejects with the abort reason when the signal fires', async () => {
    const controller = new AbortController();
    let steps = 0;
    const err = await rejection(
      createSgdTrainer({ epochs: 5, batchSize: 32 }).fit(mlpClassifier(), train, {
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'batch-end' && ++steps === 3) controller.abort();
        },
      }),
    );
    expect(err.name).toBe('AbortError');
    expect(steps).toBe(3);
  });
});

describe('memory', () => {
  it('fit, evaluate and predict leave no tensors behind', async () => {
    const model = convBnClassifier();
    const trainer = createSgdTrainer({
      epochs: 3,
      batchSize: 64,
      weightDecay: 1e-4,
      earlyStopping: { patience: 1 },
      augment: (x) => x,
    });
    await expectNoLeaks(async () => {
      await trainer.fit(model, train, { validation: test });
      await trainer.evaluate(model, test);
      await predict(model, test);
      await predictLogits(model, test);
    });
    const regularised = mlpClassifier({ kernelL2: 1e-3 });
    await expectNoLeaks(() => createSgdTrainer({ epochs: 1, momentum: 0 }).fit(regularised, train));
    const nan = { ...train, images: train.images.map(() => NaN) };
    const victim = mlpClassifier();
    await expectNoLeaks(() => rejection(createSgdTrainer({ epochs: 1 }).fit(victim, nan)));
  });
});

describe('prediction helpers', () => {
  it('return batched outputs and logits consistent with the model', async () => {
    const model = mlpClassifier();
    const probs = await predict(model, test, { batchSize: 100 });
    const logits = await predictLogits(model, test, { batchSize: 7 });
    expect(probs.length).toBe(test.count * 3);
    expect(logits.length).toBe(test.count * 3);
    const softmax = tf.tidy(() => tf.softmax(tf.tensor2d(logits, [test.count, 3])).dataSync());
    for (let i = 0; i < probs.length; i++) expect(probs[i]).toBeCloseTo(softmax[i], 5);
    const direct = tf.tidy(() => (model.predict(tf.tensor4d(test.images, [test.count, 4, 4, 1])) as tf.Tensor).dataSync());
    for (let i = 0; i < probs.length; i++) expect(probs[i]).toBeCloseTo(direct[i], 6);
  });
});
