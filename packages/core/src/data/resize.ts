/** Interpolation used by {@link resizeImage}. */
export type ResizeMethod = 'nearest' | 'bilinear';

/**
 * Resize an HWC float image (any channel count) with nearest-neighbour or bilinear sampling,
 * pixel centres aligned (like `tf.image.resizeBilinear` with `halfPixelCenters = true`).
 * Returns the input unchanged when the size already matches.
 * @param src - `height * width * channels` values, HWC order
 * @param from - `[height, width]` of `src`
 * @param to - `[height, width]` wanted
 * @param method - default `'bilinear'`
 * @example
 * const small = resizeImage(pixels, [64, 64], [32, 32], 3, 'bilinear');
 */
export function resizeImage(
  src: Float32Array,
  from: readonly [number, number],
  to: readonly [number, number],
  channels: number,
  method: ResizeMethod = 'bilinear',
): Float32Array {
  const [sh, sw] = from;
  const [th, tw] = to;
  if (sh === th && sw === tw) return src;
  const out = new Float32Array(th * tw * channels);
  const sy = sh / th;
  const sx = sw / tw;
  for (let y = 0; y < th; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), sh - 1);
    const y0 = method === 'nearest' ? Math.min(Math.floor((y + 0.5) * sy), sh - 1) : Math.floor(fy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const wy = fy - Math.floor(fy);
    for (let x = 0; x < tw; x++) {
      const o = (y * tw + x) * channels;
      if (method === 'nearest') {
        const x0 = Math.min(Math.floor((x + 0.5) * sx), sw - 1);
        const s = (y0 * sw + x0) * channels;
        for (let c = 0; c < channels; c++) out[o + c] = src[s + c];
        continue;
      }
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), sw - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const wx = fx - x0;
      for (let c = 0; c < channels; c++) {
        const top = src[(y0 * sw + x0) * channels + c] * (1 - wx) + src[(y0 * sw + x1) * channels + c] * wx;
        const bottom = src[(y1 * sw + x0) * channels + c] * (1 - wx) + src[(y1 * sw + x1) * channels + c] * wx;
        out[o + c] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}
