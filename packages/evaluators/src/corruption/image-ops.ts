import type { Rng } from '@omniprune/plugin-api';

/** `[height, width, channels]` of one image. */
export type ImageShape = readonly [number, number, number];

/** What a sample outside the image reads: a constant, or the nearest edge pixel. */
export type Border = number | 'clamp';

/**
 * Bilinear sample of channel `ch` of an HWC image at real coordinates `(y, x)` (pixel centres at integers).
 * @example
 * sampleBilinear(img, [28, 28, 1], 13.5, 13.5, 0, 0)
 */
export function sampleBilinear(image: Float32Array, shape: ImageShape, y: number, x: number, ch: number, border: Border): number {
  const [h, w, c] = shape;
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const fy = y - y0;
  const fx = x - x0;
  const at = (yy: number, xx: number): number => {
    if (yy < 0 || yy >= h || xx < 0 || xx >= w) {
      if (border !== 'clamp') return border;
      yy = Math.min(Math.max(yy, 0), h - 1);
      xx = Math.min(Math.max(xx, 0), w - 1);
    }
    return image[(yy * w + xx) * c + ch];
  };
  const top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx;
  const bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}

/**
 * Resample an HWC image through an affine map about its centre: output pixel `p` reads the input at
 * `centre + inverse * (p - centre) - shift` (bilinear; outside the image reads `fill`).
 * `inverse` is `[a, b, c, d]`, i.e. `[[a, b], [c, d]]` acting on `(y, x)`.
 * @example
 * warpAffine(img, shape, [1, 0, 0, 1], [2, 0], 0) // moves the image down by 2 pixels
 */
export function warpAffine(
  image: Float32Array,
  shape: ImageShape,
  inverse: readonly [number, number, number, number],
  shift: readonly [number, number],
  fill: number,
): Float32Array {
  const [h, w, c] = shape;
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  const [a, b, cc, d] = inverse;
  const out = new Float32Array(image.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dy = y - shift[0] - cy;
      const dx = x - shift[1] - cx;
      const sy = cy + a * dy + b * dx;
      const sx = cx + cc * dy + d * dx;
      for (let ch = 0; ch < c; ch++) out[(y * w + x) * c + ch] = sampleBilinear(image, shape, sy, sx, ch, fill);
    }
  }
  return out;
}

/** One tap of a convolution kernel: an offset (possibly fractional, read bilinearly) and its weight. */
export interface KernelTap {
  readonly dy: number;
  readonly dx: number;
  readonly weight: number;
}

/**
 * Convolve every channel of an HWC image with `taps` (weights summing to 1), edges clamped.
 * @example
 * convolve(img, shape, [{ dy: 0, dx: -1, weight: 0.5 }, { dy: 0, dx: 1, weight: 0.5 }])
 */
export function convolve(image: Float32Array, shape: ImageShape, taps: readonly KernelTap[]): Float32Array {
  const [h, w, c] = shape;
  const out = new Float32Array(image.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (const t of taps) sum += t.weight * sampleBilinear(image, shape, y + t.dy, x + t.dx, ch, 'clamp');
        out[(y * w + x) * c + ch] = sum;
      }
    }
  }
  return out;
}

/**
 * A standard normal draw (Box-Muller) from a seeded generator.
 * @example
 * const z = standardNormal(createRng(1));
 */
export function standardNormal(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** A random sign, +1 or -1. */
export function randomSign(rng: Rng): number {
  return rng.next() < 0.5 ? -1 : 1;
}

/** How many "32-pixel units" an image spans (at least 1): blur radii scale with it, as CIFAR-10-C -> ImageNet-C. */
export function sizeScale(shape: ImageShape): number {
  return Math.max(1, Math.min(shape[0], shape[1]) / 32);
}
