import type { Rng } from '@omniprune/plugin-api';
import { type ImageShape, standardNormal } from './image-ops.js';

/** Standard deviation of the additive noise per severity 1..5 (CIFAR-10-C). */
export const GAUSSIAN_NOISE_SIGMA = [0.04, 0.06, 0.08, 0.09, 0.1] as const;
/** Photons per unit intensity per severity 1..5 (CIFAR-10-C): fewer photons, more noise. */
export const SHOT_NOISE_PHOTONS = [500, 250, 100, 75, 50] as const;
/** Fraction of values replaced by 0 or 1 per severity 1..5 (CIFAR-10-C). */
export const IMPULSE_NOISE_AMOUNT = [0.01, 0.02, 0.03, 0.05, 0.07] as const;

/**
 * Gaussian noise: `x + N(0, sigma^2)` per value, on `[0, 1]` pixels (unclipped).
 * @example
 * gaussianNoise(img, [28, 28, 1], 3, createRng(1))
 */
export function gaussianNoise(image: Float32Array, _shape: ImageShape, severity: number, rng: Rng): Float32Array {
  const sigma = GAUSSIAN_NOISE_SIGMA[severity - 1];
  return image.map((v) => v + sigma * standardNormal(rng));
}

/** A Poisson draw: Knuth's product method for small means, a rounded normal approximation above 30. */
function poisson(mean: number, rng: Rng): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * standardNormal(rng)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

/**
 * Shot (Poisson) noise: `Poisson(x * photons) / photons` per value, on `[0, 1]` pixels.
 * @example
 * shotNoise(img, [32, 32, 3], 5, createRng(1))
 */
export function shotNoise(image: Float32Array, _shape: ImageShape, severity: number, rng: Rng): Float32Array {
  const photons = SHOT_NOISE_PHOTONS[severity - 1];
  return image.map((v) => poisson(Math.max(v, 0) * photons, rng) / photons);
}

/**
 * Impulse (salt-and-pepper) noise: each value is replaced, with probability `amount`, by 0 or 1 (even odds).
 * @example
 * impulseNoise(img, [28, 28, 1], 2, createRng(1))
 */
export function impulseNoise(image: Float32Array, _shape: ImageShape, severity: number, rng: Rng): Float32Array {
  const amount = IMPULSE_NOISE_AMOUNT[severity - 1];
  return image.map((v) => (rng.next() < amount ? (rng.next() < 0.5 ? 0 : 1) : v));
}
