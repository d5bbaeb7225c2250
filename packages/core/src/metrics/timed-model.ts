import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { InferenceRunner, TimedModel } from '@omniprune/plugin-api';
import { createRng } from '../util/rng.js';

export type { TimedModel };

/**
 * The fixed random input of a batch: values uniform in [-1, 1) (about the range of normalised pixels), seeded by
 * `seed` and the batch size, so the models compared see the same numbers.
 * @example
 * const x = latencyInput(64, [28, 28, 1], 1); // 64 * 784 floats
 */
export function latencyInput(batch: number, shape: readonly number[], seed: number): Float32Array {
  const rng = createRng((seed * 31 + batch) >>> 0);
  return Float32Array.from({ length: batch * shape.reduce((a, b) => a * b, 1) }, () => rng.next() * 2 - 1);
}

/**
 * `model` timed on TF.js (`model.predict`, inference mode, output read back with `data()`); input tensors are made
 * once per batch size and freed by `dispose`.
 * @example
 * const timed = tfjsTimedModel(model, [28, 28, 1], 1); await timed.pass(1)(); await timed.dispose();
 */
export function tfjsTimedModel(model: tfl.LayersModel, shape: readonly number[], seed: number): TimedModel {
  const inputs = new Map<number, tf.Tensor>();
  return {
    pass(batch) {
      let x = inputs.get(batch);
      if (!x) {
        x = tf.tensor(latencyInput(batch, shape, seed), [batch, ...shape]);
        inputs.set(batch, x);
      }
      const input = x;
      return async () => {
        const y = model.predict(input) as tf.Tensor | tf.Tensor[];
        try {
          await (Array.isArray(y) ? y[0] : y).data();
        } finally {
          tf.dispose(y);
        }
      };
    },
    async dispose() {
      tf.dispose([...inputs.values()]);
      inputs.clear();
    },
  };
}

/**
 * `model` ready to be timed on `runner` (its `timed`), or on TF.js when the runner cannot time models.
 * @example
 * const timed = await timedModelOn(runnerOf(ctx), model, [28, 28, 1], 1);
 */
export function timedModelOn(runner: InferenceRunner, model: tfl.LayersModel, shape: readonly number[], seed: number): Promise<TimedModel> {
  return runner.timed ? runner.timed(model, shape, seed) : Promise.resolve(tfjsTimedModel(model, shape, seed));
}
