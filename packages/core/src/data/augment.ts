import { z } from 'zod';
import type { Rng } from '../util/rng.js';
import { badInput } from './data-errors.js';

/**
 * Zod schema of one batch augmentation step, as listed in a YAML pipeline:
 * `{ type: 'pad-crop', pad?: 4 }` (zero-pad by `pad` pixels, then crop back at a random offset) or
 * `{ type: 'flip', p?: 0.5 }` (mirror left-right with probability `p`).
 * @example
 * augmentStepSchema.parse({ type: 'pad-crop' }); // { type: 'pad-crop', pad: 4 }
 */
export const augmentStepSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('pad-crop'),
    pad: z.number().int().min(0).max(64).default(4),
  }),
  z.strictObject({
    type: z.literal('flip'),
    p: z.number().min(0).max(1).default(0.5),
  }),
]);

/** One augmentation step (defaults optional); see {@link augmentStepSchema}. */
export type AugmentStep = z.input<typeof augmentStepSchema>;

/** `[height, width, channels]` of one image. */
export type ImageShape = readonly [number, number, number];

/**
 * Zero-pad each image of an NHWC batch by `pad` pixels and crop it back to its size at a random
 * offset `(dy, dx)` in `[0, 2*pad]` (drawn with `rng.int(2*pad + 1)`, dy first). Offset `pad` is the
 * identity; offset 0 shifts the image right/down by `pad`. Works in place.
 * @param batch - `count * h * w * c` values, modified in place
 * @param pad - default `4`
 * @example
 * padCrop(x, 128, [32, 32, 3], rng, 4);
 */
export function padCrop(batch: Float32Array, count: number, shape: ImageShape, rng: Rng, pad = 4): void {
  const [h, w, c] = shape;
  const row = w * c;
  const per = h * row;
  const scratch = new Float32Array(per);
  for (let n = 0; n < count; n++) {
    const sy = rng.int(2 * pad + 1) - pad;
    const sx = rng.int(2 * pad + 1) - pad;
    if (sy === 0 && sx === 0) continue;
    const base = n * per;
    scratch.set(batch.subarray(base, base + per));
    const x0 = Math.max(0, -sx);
    const x1 = Math.min(w, w - sx);
    for (let y = 0; y < h; y++) {
      const out = base + y * row;
      const srcY = y + sy;
      if (srcY < 0 || srcY >= h || x1 <= x0) {
        batch.fill(0, out, out + row);
        continue;
      }
      batch.fill(0, out, out + x0 * c);
      const from = srcY * row + (x0 + sx) * c;
      batch.set(scratch.subarray(from, from + (x1 - x0) * c), out + x0 * c);
      batch.fill(0, out + x1 * c, out + row);
    }
  }
}

/**
 * Mirror each image of an NHWC batch left-right with probability `p` (one `rng.next()` per image).
 * Works in place; `p = 1` flips every image, so flipping twice is the identity.
 * @param p - default `0.5`
 * @example
 * horizontalFlip(x, 128, [32, 32, 3], rng, 0.5);
 */
export function horizontalFlip(batch: Float32Array, count: number, shape: ImageShape, rng: Rng, p = 0.5): void {
  const [h, w, c] = shape;
  const row = w * c;
  for (let n = 0; n < count; n++) {
    if (!(rng.next() < p)) continue;
    for (let y = 0; y < h; y++) {
      const start = n * h * row + y * row;
      for (let a = 0, b = w - 1; a < b; a++, b--) {
        for (let k = 0; k < c; k++) {
          const i = start + a * c + k;
          const j = start + b * c + k;
          const t = batch[i];
          batch[i] = batch[j];
          batch[j] = t;
        }
      }
    }
  }
}

/**
 * Apply augmentation steps in order to an NHWC batch, in place.
 * @throws OmnipruneError `E_BAD_INPUT` on an unknown step type
 * @example
 * augmentBatch(x, 64, [32, 32, 3], [{ type: 'pad-crop', pad: 4 }, { type: 'flip' }], createRng(1));
 */
export function augmentBatch(batch: Float32Array, count: number, shape: ImageShape, steps: readonly AugmentStep[], rng: Rng): void {
  for (const step of steps) {
    if (step.type === 'pad-crop') padCrop(batch, count, shape, rng, step.pad ?? 4);
    else if (step.type === 'flip') horizontalFlip(batch, count, shape, rng, step.p ?? 0.5);
    else {
      throw badInput(`unknown augmentation step type ${(step as { type: unknown }).type}`, "use one of 'pad-crop' or 'flip'");
    }
  }
}
