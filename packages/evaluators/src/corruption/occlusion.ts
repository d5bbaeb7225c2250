import type { Rng } from '@omniprune/plugin-api';
import { type ImageShape, sampleBilinear } from './image-ops.js';

/** Number of inverted stripes per severity 1..5. */
export const STRIPE_COUNT = [1, 2, 3, 4, 5] as const;
/** Fog `[intensity, decay]` per severity 1..5 (CIFAR-10-C): larger intensity, thicker fog; smaller decay, finer detail. */
export const FOG_PARAMS = [
  [0.2, 3],
  [0.5, 3],
  [0.75, 2.5],
  [1, 2],
  [1.5, 1.75],
] as const;

/**
 * Stripe: `count` vertical stripes at seeded columns (one pixel wide per 28 pixels of width) are inverted, `1 - x`.
 * @example
 * stripe(img, [28, 28, 1], 2, createRng(1))
 */
export function stripe(image: Float32Array, shape: ImageShape, severity: number, rng: Rng): Float32Array {
  const [h, w, c] = shape;
  const width = Math.max(1, Math.round(w / 28));
  const columns = new Set<number>();
  for (let k = 0; k < STRIPE_COUNT[severity - 1]; k++) {
    const start = rng.int(Math.max(1, w - width + 1));
    for (let x = start; x < start + width; x++) columns.add(x);
  }
  const out = image.slice();
  for (let y = 0; y < h; y++) {
    for (const x of columns) for (let ch = 0; ch < c; ch++) out[(y * w + x) * c + ch] = 1 - image[(y * w + x) * c + ch];
  }
  return out;
}

/**
 * A `h x w` low-frequency noise map in [0, 1]: octaves of bilinearly upsampled uniform grids (2x2, 3x3, 5x5, ...),
 * octave `o` weighted `decay^-o`, min-max scaled (value noise, a stand-in for CIFAR-10-C's plasma fractal).
 * @example
 * const map = lowFrequencyNoise(32, 32, 2, createRng(1));
 */
export function lowFrequencyNoise(h: number, w: number, decay: number, rng: Rng): Float32Array {
  const map = new Float32Array(h * w);
  for (let o = 0, cells = 2; ; o++, cells = 2 * cells - 1) {
    const grid = Float32Array.from({ length: cells * cells }, () => rng.next());
    const weight = decay ** -o;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const gy = h > 1 ? (y * (cells - 1)) / (h - 1) : 0;
        const gx = w > 1 ? (x * (cells - 1)) / (w - 1) : 0;
        map[y * w + x] += weight * sampleBilinear(grid, [cells, cells, 1], gy, gx, 0, 'clamp');
      }
    }
    if (cells - 1 >= Math.max(h, w) / 2) break;
  }
  let [min, max] = [Infinity, -Infinity];
  for (const v of map) [min, max] = [Math.min(min, v), Math.max(max, v)];
  return map.map((v) => (max > min ? (v - min) / (max - min) : 0));
}

/**
 * Fog (CIFAR-10-C's formula with {@link lowFrequencyNoise}): `(x + intensity * fog) * max(x) / (max(x) + intensity)`,
 * the same fog map on every channel.
 * @example
 * fog(img, [32, 32, 3], 4, createRng(1))
 */
export function fog(image: Float32Array, shape: ImageShape, severity: number, rng: Rng): Float32Array {
  const [h, w, c] = shape;
  const [intensity, decay] = FOG_PARAMS[severity - 1];
  const map = lowFrequencyNoise(h, w, decay, rng);
  let max = 0;
  for (const v of image) max = Math.max(max, v);
  const gain = max / (max + intensity);
  return image.map((v, i) => (v + intensity * map[Math.floor(i / c)]) * gain);
}
