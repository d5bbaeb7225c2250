import type { LrSchedule } from './options.js';

/** The parts of the trainer options that determine the learning rate. */
export interface LrScheduleOptions {
  /** Base learning rate. */
  readonly lr: number;
  readonly schedule: LrSchedule;
  /** Linear warmup epochs (0 = none). */
  readonly warmupEpochs?: number;
}

/**
 * Learning rate of a 0-based `epoch` out of `epochs`.
 * - constant: `lr`;
 * - step: `lr * gamma^k`, k = number of milestones <= epoch (PyTorch MultiStepLR, milestones are 0-based epochs);
 * - cosine: `minLr + (lr - minLr) * (1 + cos(pi * t / T)) / 2` with `t = epoch - warmup`, `T = epochs - warmup`;
 * - warmup (W epochs): epochs `e < W` use the value above times `(e + 1) / (W + 1)`.
 * @example
 * learningRateAt({ lr: 0.01, schedule: { type: 'step', milestones: [100, 150], gamma: 0.1 } }, 120, 190); // 0.001
 */
export function learningRateAt(options: LrScheduleOptions, epoch: number, epochs: number): number {
  const { lr, schedule } = options;
  const warmup = options.warmupEpochs ?? 0;
  let value: number;
  switch (schedule.type) {
    case 'constant':
      value = lr;
      break;
    case 'step': {
      const passed = schedule.milestones.filter((m) => m <= epoch).length;
      value = lr * schedule.gamma ** passed;
      break;
    }
    case 'cosine': {
      const t = Math.max(0, epoch - warmup);
      const span = Math.max(1, epochs - warmup);
      value = schedule.minLr + ((lr - schedule.minLr) * (1 + Math.cos((Math.PI * t) / span))) / 2;
      break;
    }
  }
  return epoch < warmup ? (value * (epoch + 1)) / (warmup + 1) : value;
}
