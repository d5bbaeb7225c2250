import type { Rng } from '@omniprune/plugin-api';
import type { ImageShape } from './image-ops.js';

/** Added to the HSV value (brightness) per severity 1..5 (CIFAR-10-C). */
export const BRIGHTNESS_SHIFT = [0.05, 0.1, 0.15, 0.2, 0.3] as const;
/** Contrast factor per severity 1..5 (CIFAR-10-C): 1 keeps the image, 0 makes it flat. */
export const CONTRAST_FACTOR = [0.75, 0.5, 0.4, 0.3, 0.15] as const;

/**
 * Brightness: the HSV value `v = max_c x_c` of each pixel becomes `min(v + shift, 1)`, hue and saturation kept
 * (channels scaled by `v' / v`; a black pixel becomes grey `v'`). For grayscale images, `min(x + shift, 1)`.
 * @example
 * brightness(img, [32, 32, 3], 2, createRng(1))
 */
export function brightness(image: Float32Array, shape: ImageShape, severity: number, _rng: Rng): Float32Array {
  const shift = BRIGHTNESS_SHIFT[severity - 1];
  const c = shape[2];
  const out = new Float32Array(image.length);
  for (let i = 0; i < image.length; i += c) {
    let v = 0;
    for (let ch = 0; ch < c; ch++) v = Math.max(v, image[i + ch]);
    const target = Math.min(v + shift, 1);
    for (let ch = 0; ch < c; ch++) out[i + ch] = v > 0 ? (image[i + ch] * target) / v : target;
  }
  return out;
}

/**
 * Contrast: `(x - mean_c) * factor + mean_c` with the per-channel mean of the image.
 * @example
 * contrast(img, [28, 28, 1], 5, createRng(1))
 */
export function contrast(image: Float32Array, shape: ImageShape, severity: number, _rng: Rng): Float32Array {
  const factor = CONTRAST_FACTOR[severity - 1];
  const c = shape[2];
  const mean = new Float64Array(c);
  for (let i = 0; i < image.length; i++) mean[i % c] += image[i];
  for (let ch = 0; ch < c; ch++) mean[ch] /= image.length / c;
  return image.map((v, i) => (v - mean[i % c]) * factor + mean[i % c]);
}
