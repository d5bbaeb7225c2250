import { beforeAll, describe, expect, it } from 'vitest';
import { isOmnipruneError } from '../../src/errors/omniprune-error.js';
import { parseSgdTrainerOptions, type LrSchedule } from '../../src/train/options.js';
import { learningRateAt } from '../../src/train/schedule.js';
import { createSgdTrainer } from '../../src/train/sgd-trainer.js';
import { mlpClassifier, useCpu } from '../../src/testing/index.js';
import { prototypeDataset } from './fixtures.js';

beforeAll(useCpu);

const lrs = (options: Parameters<typeof learningRateAt>[0], epochs: number): number[] =>
  Array.from({ length: epochs }, (_, e) => learningRateAt(options, e, epochs));

describe('learningRateAt', () => {
  it('constant', () => {
    expect(lrs({ lr: 0.05, schedule: { type: 'constant' } }, 3)).toEqual([0.05, 0.05, 0.05]);
  });

  it('step: multiplies by gamma at each 0-based milestone epoch', () => {
    const values = lrs({ lr: 0.1, schedule: { type: 'step', milestones: [2, 4], gamma: 0.1 } }, 6);
    [0.1, 0.1, 0.01, 0.01, 0.001, 0.001].forEach((v, i) => expect(values[i]).toBeCloseTo(v, 12));
    // The paper's recipe: 0.01 -> 0.001 at epoch 100 -> 0.0001 at 150.
    const paper = { lr: 0.01, schedule: { type: 'step' as const, milestones: [100, 150], gamma: 0.1 } };
    expect(learningRateAt(paper, 99, 190)).toBe(0.01);
    expect(learningRateAt(paper, 100, 190)).toBeCloseTo(0.001, 12);
    expect(learningRateAt(paper, 189, 190)).toBeCloseTo(0.0001, 12);
  });

  it('cosine: minLr + (lr - minLr)(1 + cos(pi e / E)) / 2', () => {
    const values = lrs({ lr: 0.1, schedule: { type: 'cosine', minLr: 0.01 } }, 4);
    const expected = [0, 1, 2, 3].map((e) => 0.01 + (0.09 * (1 + Math.cos((Math.PI * e) / 4))) / 2);
    expected.forEach((v, i) => expect(values[i]).toBeCloseTo(v, 12));
    expect(values[0]).toBeCloseTo(0.1, 12);
    expect(values[2]).toBeCloseTo(0.055, 12);
  });

  it('warmup ramps linearly, then the schedule starts', () => {
    const values = lrs({ lr: 0.1, warmupEpochs: 3, schedule: { type: 'cosine', minLr: 0 } }, 7);
    [0.025, 0.05, 0.075].forEach((v, i) => expect(values[i]).toBeCloseTo(v, 12));
    expect(values[3]).toBeCloseTo(0.1, 12); // cosine t = 0 right after warmup
    expect(values[5]).toBeCloseTo(0.05, 12); // t = 2 of T = 4
  });
});

describe('schedules inside fit', () => {
  const data = prototypeDataset(16, 2);
  const schedules: LrSchedule[] = [
    { type: 'step', milestones: [1, 3], gamma: 0.5 },
    { type: 'cosine', minLr: 0.001 },
  ];
  for (const schedule of schedules) {
    it(`uses the exact ${schedule.type} lr in every event of each epoch`, async () => {
      const seen = new Map<number, Set<number>>();
      await createSgdTrainer({ epochs: 4, batchSize: 8, lr: 0.02, schedule }).fit(mlpClassifier(), data, {
        onEvent: (e) => seen.set(e.epoch, (seen.get(e.epoch) ?? new Set()).add(e.lr)),
      });
      const expected = lrs({ lr: 0.02, schedule }, 4);
      expect([...seen.keys()]).toEqual([0, 1, 2, 3]);
      for (const [epoch, values] of seen) expect([...values]).toEqual([expected[epoch]]);
      if (schedule.type === 'step') expect(expected).toEqual([0.02, 0.01, 0.01, 0.005]);
    });
  }
});

describe('option validation', () => {
  it('applies documented defaults', () => {
    const o = parseSgdTrainerOptions({});
    expect(o).toMatchObject({
      epochs: 10,
      batchSize: 128,
      lr: 0.01,
      momentum: 0.9,
      nesterov: true,
      weightDecay: 0,
      schedule: { type: 'constant' },
      warmupEpochs: 0,
      labelSmoothing: 0,
      seed: 0,
      shuffle: true,
    });
    expect(o.earlyStopping).toBeUndefined();
    expect(parseSgdTrainerOptions({ earlyStopping: {} }).earlyStopping).toEqual({
      patience: 10,
      minDelta: 0,
      monitor: 'val_accuracy',
      restoreBestWeights: true,
    });
  });

  it('names the offending path in E_SCHEMA', () => {
    const attempt = (input: unknown): unknown => {
      try {
        createSgdTrainer(input as never);
      } catch (err) {
        return err;
      }
      return undefined;
    };
    const bad = attempt({ lr: -1 });
    expect(isOmnipruneError(bad, 'E_SCHEMA')).toBe(true);
    expect((bad as Error).message).toMatch(/lr:/);
    expect((attempt({ schedule: { type: 'step' } }) as Error).message).toMatch(/schedule\.milestones/);
    expect((attempt({ augment: 3 }) as Error).message).toMatch(/augment: expected a function/);
  });
});
