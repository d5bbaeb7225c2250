import type { Rng } from '@omniprune/plugin-api';
import { convolve, type ImageShape, type KernelTap, sizeScale } from './image-ops.js';

/** Disk radius in pixels per 32 pixels of image side, per severity 1..5. */
export const DEFOCUS_RADIUS = [0.6, 0.9, 1.2, 1.6, 2] as const;
/** Blur streak length in pixels per 32 pixels of image side, per severity 1..5. */
export const MOTION_LENGTH = [2, 3, 4, 5, 6] as const;

/** Anti-aliased disk kernel of radius `r`: weight `clamp(r + 0.5 - distance, 0, 1)`, normalised. */
function diskTaps(r: number): KernelTap[] {
  const taps: KernelTap[] = [];
  const reach = Math.ceil(r + 0.5);
  for (let dy = -reach; dy <= reach; dy++) {
    for (let dx = -reach; dx <= reach; dx++) {
      const weight = Math.min(Math.max(r + 0.5 - Math.hypot(dy, dx), 0), 1);
      if (weight > 0) taps.push({ dy, dx, weight });
    }
  }
  const total = taps.reduce((s, t) => s + t.weight, 0);
  return taps.map((t) => ({ ...t, weight: t.weight / total }));
}

/**
 * Defocus blur: convolution with an anti-aliased disk (radius {@link DEFOCUS_RADIUS} scaled with the image size).
 * @example
 * defocusBlur(img, [32, 32, 3], 4, createRng(1))
 */
export function defocusBlur(image: Float32Array, shape: ImageShape, severity: number, _rng: Rng): Float32Array {
  return convolve(image, shape, diskTaps(DEFOCUS_RADIUS[severity - 1] * sizeScale(shape)));
}

/**
 * Motion blur: the mean of bilinear samples along a centred segment of length {@link MOTION_LENGTH} (scaled with the
 * image size) at a seeded angle in [-90, 90) degrees.
 * @example
 * motionBlur(img, [28, 28, 1], 5, createRng(1))
 */
export function motionBlur(image: Float32Array, shape: ImageShape, severity: number, rng: Rng): Float32Array {
  const length = MOTION_LENGTH[severity - 1] * sizeScale(shape);
  const angle = (rng.next() - 0.5) * Math.PI;
  const points = Math.ceil(length) + 1;
  const taps: KernelTap[] = Array.from({ length: points }, (_, i) => {
    const t = (i / (points - 1) - 0.5) * length;
    return { dy: t * Math.sin(angle), dx: t * Math.cos(angle), weight: 1 / points };
  });
  return convolve(image, shape, taps);
}
