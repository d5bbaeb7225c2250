import { createRng, type Rng } from '@omniprune/core/util';
import type { ImageDataset } from '@omniprune/core/data';

/** Every synthetic out-of-distribution set (built from the in-distribution images themselves), in report order. */
export const SYNTHETIC_OOD_SETS = ['pixel-permuted', 'block-shuffled', 'uniform-noise', 'gaussian-noise', 'inverted'] as const;

/** A synthetic out-of-distribution set. */
export type SyntheticOodSet = (typeof SYNTHETIC_OOD_SETS)[number];

/** Options of {@link syntheticOodSet}. */
export interface SyntheticOodOptions {
  /** Range of raw pixels, e.g. `[0, 1]`. */
  readonly pixelRange: readonly [number, number];
  /** Seed; each set draws from its own stream derived from it and the set's name. */
  readonly seed: number;
  /** Side of the square blocks of `block-shuffled`. Default 4. */
  readonly blockSize?: number;
}

/** FNV-1a hash of a name, to give every set its own random stream whatever the other sets are. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A seeded permutation of `0..n-1`. */
function permutation(n: number, rng: Rng): Int32Array {
  return Int32Array.from(rng.shuffle(Array.from({ length: n }, (_, i) => i)));
}

/** Standard normal draw (Box-Muller). */
function gaussian(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

function pixelPermuted(src: Float32Array, out: Float32Array, [h, w, c]: readonly number[], rng: Rng): void {
  const per = h * w * c;
  const perm = permutation(h * w, rng);
  for (let off = 0; off < src.length; off += per) {
    for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[off + p * c + k] = src[off + perm[p] * c + k];
  }
}

function blockShuffled(src: Float32Array, out: Float32Array, [h, w, c]: readonly number[], rng: Rng, block: number): void {
  const per = h * w * c;
  const rows = Math.floor(h / block);
  const cols = Math.floor(w / block);
  out.set(src); // pixels outside whole blocks (when the size is not a multiple of the block) stay in place
  for (let off = 0; off < src.length; off += per) {
    const perm = permutation(rows * cols, rng);
    for (let b = 0; b < rows * cols; b++) {
      const [dy, dx] = [Math.floor(b / cols) * block, (b % cols) * block];
      const [sy, sx] = [Math.floor(perm[b] / cols) * block, (perm[b] % cols) * block];
      for (let y = 0; y < block; y++) {
        const from = off + ((sy + y) * w + sx) * c;
        out.set(src.subarray(from, from + block * c), off + ((dy + y) * w + dx) * c);
      }
    }
  }
}

/**
 * One synthetic out-of-distribution set made from raw in-distribution images (same count, shape and labels; the
 * labels mean nothing), every pixel in `pixelRange = [lo, hi]`. Deterministic for a seed:
 * - `pixel-permuted`: one fixed seeded permutation of pixel positions (channels move together), the same for every image;
 * - `block-shuffled`: `blockSize x blockSize` blocks shuffled, a seeded permutation per image;
 * - `uniform-noise`: i.i.d. uniform pixels in `[lo, hi]`;
 * - `gaussian-noise`: i.i.d. normal pixels, mean `(lo + hi) / 2`, standard deviation `hi - lo`, clipped to the range
 *   (Hendrycks et al. 2019's Gaussian set: mean 0.5, unit variance, clipped to [0, 1]);
 * - `inverted`: `lo + hi - x` (`pixelMax - x` for `lo = 0`).
 * @example
 * const ood = syntheticOodSet(rawTest, 'pixel-permuted', { pixelRange: [0, 1], seed: 1 });
 */
export function syntheticOodSet(raw: ImageDataset, set: SyntheticOodSet, options: SyntheticOodOptions): ImageDataset {
  const [lo, hi] = options.pixelRange;
  const rng = createRng((options.seed ^ nameHash(set)) >>> 0);
  const src = raw.images;
  const out = new Float32Array(src.length);
  const clip = (v: number): number => Math.min(hi, Math.max(lo, v));
  switch (set) {
    case 'pixel-permuted':
      pixelPermuted(src, out, raw.shape, rng);
      break;
    case 'block-shuffled':
      blockShuffled(src, out, raw.shape, rng, options.blockSize ?? 4);
      break;
    case 'uniform-noise':
      for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * rng.next();
      break;
    case 'gaussian-noise':
      for (let i = 0; i < out.length; i++) out[i] = clip((lo + hi) / 2 + (hi - lo) * gaussian(rng));
      break;
    case 'inverted':
      for (let i = 0; i < out.length; i++) out[i] = clip(lo + hi - src[i]);
      break;
  }
  return { ...raw, name: `${raw.name}/ood:${set}`, images: out };
}
