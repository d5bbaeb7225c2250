import type { Rng } from '@omniprune/plugin-api';
import { type ImageShape, randomSign, warpAffine } from './image-ops.js';

/** Rotation angle in degrees per severity 1..5; the sign is drawn per image. */
export const ROTATION_DEGREES = [6, 12, 18, 24, 30] as const;
/** Shear factor per severity 1..5; sign and axis are drawn per image. */
export const SHEAR_FACTOR = [0.08, 0.16, 0.24, 0.32, 0.4] as const;
/** Zoom-out factor per severity 1..5 (the image shrinks about its centre). */
export const SCALE_FACTOR = [0.9, 0.8, 0.7, 0.6, 0.5] as const;
/** Shift as a fraction of the image side per severity 1..5; the direction is drawn per image. */
export const TRANSLATION_FRACTION = [0.04, 0.08, 0.12, 0.16, 0.2] as const;

/** Geometric corruptions fill the uncovered area with black (0), as MNIST-C does. */
const FILL = 0;

/**
 * Rotation by {@link ROTATION_DEGREES} about the centre, seeded direction, bilinear, black fill.
 * @example
 * rotation(img, [28, 28, 1], 3, createRng(1))
 */
export function rotation(image: Float32Array, shape: ImageShape, severity: number, rng: Rng): Float32Array {
  const theta = (randomSign(rng) * ROTATION_DEGREES[severity - 1] * Math.PI) / 180;
  const [cos, sin] = [Math.cos(theta), Math.sin(theta)];
  return warpAffine(image, shape, [cos, -sin, sin, cos], [0, 0], FILL);
}

/**
 * Shear by {@link SHEAR_FACTOR} along a seeded axis (x or y) and direction, about the centre, black fill.
 * @example
 * shear(img, [28, 28, 1], 3, createRng(1))
 */
export function shear(image: Float32Array, shape: ImageShape, severity: number, rng: Rng): Float32Array {
  const k = randomSign(rng) * SHEAR_FACTOR[severity - 1];
  const alongX = rng.next() < 0.5;
  return warpAffine(image, shape, alongX ? [1, 0, -k, 1] : [1, -k, 0, 1], [0, 0], FILL);
}

/**
 * Zoom out by {@link SCALE_FACTOR} about the centre, black fill (MNIST-C's `scale`).
 * @example
 * scale(img, [28, 28, 1], 5, createRng(1))
 */
export function scale(image: Float32Array, shape: ImageShape, severity: number, _rng: Rng): Float32Array {
  const inv = 1 / SCALE_FACTOR[severity - 1];
  return warpAffine(image, shape, [inv, 0, 0, inv], [0, 0], FILL);
}

/**
 * Translation by {@link TRANSLATION_FRACTION} of the image side in a seeded direction, bilinear, black fill.
 * @example
 * translation(img, [32, 32, 3], 2, createRng(1))
 */
export function translation(image: Float32Array, shape: ImageShape, severity: number, rng: Rng): Float32Array {
  const distance = TRANSLATION_FRACTION[severity - 1] * Math.min(shape[0], shape[1]);
  const angle = rng.next() * 2 * Math.PI;
  return warpAffine(image, shape, [1, 0, 0, 1], [distance * Math.sin(angle), distance * Math.cos(angle)], FILL);
}
