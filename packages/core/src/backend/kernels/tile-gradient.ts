import * as tf from '@tensorflow/tfjs-core';
import { tileGroups } from './broadcast-kernels.js';

/**
 * Gradient of `Tile` as one reshape + sum: `dy` viewed as `[rep_0, x_0, rep_1, x_1, ...]` (neighbouring axes of
 * the same kind merged) summed over the repeat axes. TF.js 4.22's own gradient adds one slice of `dy` per
 * repetition, in JavaScript loops: `tfjs-layers`' LayerNormalization tiles gamma and beta to `[batch, tokens,
 * dim]`, so a ViT-Tiny training step ran ~75,000 Slice + Add kernels (27 s per batch of 64 on wasm, 17 s on cpu).
 * Same values (a sum in another order); works for any rank (the built-in one throws above rank 4).
 */
export const tileGradConfig: tf.GradConfig = {
  kernelName: tf.Tile,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { reps } = attrs as unknown as { reps: number[] };
    const derX = () => {
      const grad = Array.isArray(dy) ? dy[0] : dy;
      const groups = tileGroups(x.shape, reps);
      const repeatAxes = groups.flatMap((g, i) => (g.repeat ? [i] : []));
      if (repeatAxes.length === 0) return tf.reshape(grad, x.shape);
      const summed = tf.sum(
        tf.reshape(
          grad,
          groups.map((g) => g.size),
        ),
        repeatAxes,
      );
      return tf.reshape(summed, x.shape);
    };
    return { x: derX };
  },
};

/**
 * Replace TF.js's `Tile` gradient by {@link tileGradConfig} (all backends: gradients are not per backend).
 * Idempotent. Note that importing `@tensorflow/tfjs-layers` or tfjs-core's `register_all_gradients` later would
 * register the built-in gradient again; {@link initBackend} calls this every time.
 */
export function registerGradientOverrides(): void {
  if (tf.getGradient(tf.Tile) !== tileGradConfig) tf.registerGradient(tileGradConfig);
}
