import { createRng } from '@omniprune/core/util';
import type { Rng } from '@omniprune/plugin-api';
import { deriveSeed } from '../shared/seeds.js';
import { defocusBlur, motionBlur } from './blur.js';
import { rotation, scale, shear, translation } from './geometric.js';
import type { ImageShape } from './image-ops.js';
import { gaussianNoise, impulseNoise, shotNoise } from './noise.js';
import { fog, stripe } from './occlusion.js';
import { brightness, contrast } from './photometric.js';

/** The corruptions of the suite, in report order. */
export const CORRUPTION_NAMES = [
  'gaussian-noise',
  'shot-noise',
  'impulse-noise',
  'defocus-blur',
  'motion-blur',
  'brightness',
  'contrast',
  'rotation',
  'shear',
  'scale',
  'translation',
  'stripe',
  'fog',
] as const;

/** One of {@link CORRUPTION_NAMES}. */
export type CorruptionName = (typeof CORRUPTION_NAMES)[number];

/** Highest severity; severity 0 is the identity. */
export const MAX_SEVERITY = 5;

/** A corruption of one HWC image with values in [0, 1], at severity 1..5; the result is clipped by the caller. */
export type UnitCorruption = (image: Float32Array, shape: ImageShape, severity: number, rng: Rng) => Float32Array;

const CORRUPTIONS: Readonly<Record<CorruptionName, UnitCorruption>> = {
  'gaussian-noise': gaussianNoise,
  'shot-noise': shotNoise,
  'impulse-noise': impulseNoise,
  'defocus-blur': defocusBlur,
  'motion-blur': motionBlur,
  brightness,
  contrast,
  rotation,
  shear,
  scale,
  translation,
  stripe,
  fog,
};

/** Options of {@link corruptImages}. */
export interface CorruptOptions {
  /** Seed: the same seed gives the same corrupted images. */
  readonly seed: number;
  /** `[low, high]` of the raw pixels. Default `[0, 1]`. */
  readonly pixelRange?: readonly [number, number];
  /**
   * Index of the first image in the whole set (default 0): image `i` draws from its own stream seeded by
   * `(seed, corruption, severity, firstIndex + i)`, so corrupting a set in chunks gives the same images.
   */
  readonly firstIndex?: number;
}

/**
 * Corrupt NHWC raw pixel images (values in `pixelRange`, any height, width and channel count) with `corruption` at
 * `severity` (0 = the identity, a copy; 5 = the strongest), deterministic for a seed. Pixels are mapped to [0, 1],
 * corrupted, clipped to [0, 1] and mapped back, so the result stays in `pixelRange`; `images` is left as it is.
 * @example
 * const foggy = corruptImages(raw, [32, 32, 3], 'fog', 3, { seed: 42, pixelRange: [0, 1] });
 */
export function corruptImages(images: Float32Array, shape: ImageShape, corruption: CorruptionName, severity: number, options: CorruptOptions): Float32Array {
  const corrupt = CORRUPTIONS[corruption];
  if (corrupt === undefined) throw new RangeError(`[evaluator:corruption] unknown corruption "${corruption}"; use one of ${CORRUPTION_NAMES.join(', ')}`);
  if (!(Number.isInteger(severity) && severity >= 0 && severity <= MAX_SEVERITY)) {
    throw new RangeError(`[evaluator:corruption] severity must be an integer from 0 to ${MAX_SEVERITY}, got ${severity}`);
  }
  if (severity === 0) return images.slice();
  const [low, high] = options.pixelRange ?? [0, 1];
  const span = high - low;
  const per = shape[0] * shape[1] * shape[2];
  const which = CORRUPTION_NAMES.indexOf(corruption);
  const out = new Float32Array(images.length);
  for (let i = 0; i * per < images.length; i++) {
    const unit = images.subarray(i * per, (i + 1) * per).map((v) => (v - low) / span);
    const rng = createRng(deriveSeed(options.seed, which, severity, (options.firstIndex ?? 0) + i));
    const corrupted = corrupt(unit, shape, severity, rng);
    for (let k = 0; k < per; k++) out[i * per + k] = low + span * Math.min(Math.max(corrupted[k], 0), 1);
  }
  return out;
}
