import { isOmnipruneError, OmnipruneError } from '@omniprune/core';
import { loadIdxDataset, loadImageFolder, type ImageDataset } from '@omniprune/core/data';

/** A user-supplied out-of-distribution set (`sets:` option of the `ood` evaluator). */
export interface OodSetSpec {
  /** Name in the metrics (`auroc:<name>:msp`). */
  readonly name: string;
  /** `image-folder`: a folder with `test/<class>/*.png|jpg` (and a `train/` split, as core's loader needs); `idx`: a folder with the four IDX files. */
  readonly path: string;
  /** Default `image-folder`. */
  readonly format?: 'image-folder' | 'idx';
  /** Which IDX file names to look for (`idx` only). Default `mnist`. */
  readonly dataset?: 'mnist' | 'fashion-mnist';
}

/** What the loaded set must match: the in-distribution images. */
export interface OodSetTarget {
  /** `[height, width, channels]` of the model's input. */
  readonly shape: readonly [number, number, number];
  /** Raw pixel range of the in-distribution data. */
  readonly pixelRange: readonly [number, number];
  /** Keep at most this many images (stratified over the set's classes). */
  readonly samples: number;
  readonly seed: number;
}

const PLUGIN = 'evaluator:ood';

function shapeMismatch(spec: OodSetSpec, got: readonly (number | string)[], want: readonly number[]): OmnipruneError {
  return new OmnipruneError(
    'E_BAD_INPUT',
    `OOD set "${spec.name}" (${spec.path}) has images of shape [${got.join(', ')}], the model takes [${want.join(', ')}]`,
    {
      plugin: PLUGIN,
      hint:
        spec.format === 'idx'
          ? 'IDX sets are grayscale and cannot be resized: convert the set to an image folder (resized to the model input on load)'
          : 'image folders are resized on load, but only to 1 (grayscale) or 3 (RGB) channels',
    },
  );
}

/** Map [0, 1] pixels linearly onto `[lo, hi]`, in place. */
function toRange(ds: ImageDataset, [lo, hi]: readonly [number, number]): ImageDataset {
  if (lo === 0 && hi === 1) return ds;
  const x = ds.images;
  for (let i = 0; i < x.length; i++) x[i] = lo + x[i] * (hi - lo);
  return ds;
}

async function load(spec: OodSetSpec, target: OodSetTarget): Promise<ImageDataset> {
  const [h, w, c] = target.shape;
  const subset = { trainSubset: 1, testSubset: target.samples, seed: target.seed, scale: true } as const;
  if ((spec.format ?? 'image-folder') === 'idx') {
    return (await loadIdxDataset({ name: spec.dataset ?? 'mnist', dir: spec.path, download: false, ...subset })).test;
  }
  if (c !== 1 && c !== 3) throw shapeMismatch(spec, ['?', '?', '1 or 3'], target.shape);
  return (await loadImageFolder({ root: spec.path, imageSize: [h, w], channels: c, ...subset })).test;
}

/**
 * Load a user OOD set with core's dataset loaders (`loadImageFolder`: resized to the model's input size, 1 or 3
 * channels; `loadIdxDataset`: as stored), at most `target.samples` images, raw pixels mapped to `target.pixelRange`.
 * @throws OmnipruneError `E_FILE_NOT_FOUND` (missing folder or files), `E_BAD_INPUT` (shapes cannot match), `E_CORRUPT_FILE`
 * @example
 * const mnist = await loadOodSet({ name: 'mnist', path: '/data/mnist', format: 'idx' }, { shape: [28, 28, 1], pixelRange: [0, 1], samples: 1000, seed: 1 });
 */
export async function loadOodSet(spec: OodSetSpec, target: OodSetTarget): Promise<ImageDataset> {
  let ds: ImageDataset;
  try {
    ds = await load(spec, target);
  } catch (err) {
    if (isOmnipruneError(err) && err.plugin !== PLUGIN) {
      throw new OmnipruneError(err.code, `OOD set "${spec.name}": ${err.message}`, { plugin: PLUGIN, cause: err });
    }
    throw err;
  }
  if (ds.shape.some((d, i) => d !== target.shape[i])) throw shapeMismatch(spec, ds.shape, target.shape);
  return { ...toRange(ds, target.pixelRange), name: `ood:${spec.name}` };
}
