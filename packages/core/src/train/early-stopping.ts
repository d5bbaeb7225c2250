import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { EarlyStoppingOptions } from './options.js';
import type { LossAccuracy } from './types.js';

/** Tracks a validation metric across epochs and keeps a copy of the best weights. */
export interface EarlyStopper {
  /** Record the validation result of `epoch`; returns true when training should stop. */
  update(epoch: number, val: LossAccuracy): boolean;
  /** Epoch with the best monitored value so far (-1 before any update). */
  readonly bestEpoch: number;
  /** Best monitored value so far. */
  readonly bestValue: number;
  /** Write the best weights back into the model; returns that epoch, or undefined when nothing was restored. */
  restore(): number | undefined;
  /** Free the weight copies. */
  dispose(): void;
}

/**
 * Early stopping: stop when the monitored value has not improved by more than `minDelta` for `patience`
 * consecutive epochs; copies of all weights (incl. BN moving statistics) at the best epoch are kept.
 */
export function createEarlyStopper(model: tfl.LayersModel, options: EarlyStoppingOptions): EarlyStopper {
  const higherIsBetter = options.monitor === 'val_accuracy';
  let bestEpoch = -1;
  let bestValue = higherIsBetter ? -Infinity : Infinity;
  let lastEpoch = -1;
  let wait = 0;
  let snapshot: tf.Tensor[] | undefined;

  const takeSnapshot = (): void => {
    snapshot?.forEach((t) => t.dispose());
    snapshot = model.weights.map((w) => tf.clone(w.read()));
  };

  return {
    get bestEpoch() {
      return bestEpoch;
    },
    get bestValue() {
      return bestValue;
    },
    update(epoch, val) {
      lastEpoch = epoch;
      const value = higherIsBetter ? val.accuracy : val.loss;
      const improved = higherIsBetter ? value > bestValue + options.minDelta : value < bestValue - options.minDelta;
      if (improved || bestEpoch < 0) {
        bestEpoch = epoch;
        bestValue = value;
        wait = 0;
        if (options.restoreBestWeights) takeSnapshot();
        return false;
      }
      wait++;
      return wait >= options.patience;
    },
    restore() {
      if (!snapshot || bestEpoch === lastEpoch) return undefined;
      model.weights.forEach((w, i) => (w.read() as tf.Variable).assign(snapshot![i]));
      return bestEpoch;
    },
    dispose() {
      snapshot?.forEach((t) => t.dispose());
      snapshot = undefined;
    },
  };
}
