import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { badInput, fileNotFound, isMissingFileError } from './data-errors.js';
import { decodeImage, type RgbaImage } from './image-decode.js';
import { resizeImage, type ResizeMethod } from './resize.js';
import { selectSubsetIndices, type SubsetStrategy } from './subset.js';
import type { DataSplits, ImageDataset } from './types.js';

/** Options of {@link loadImageFolder}. */
export interface LoadImageFolderOptions {
  /** Folder with `train/<class>/*.png|jpg` and `test/<class>/*.png|jpg`. */
  root: string;
  /** `[height, width]` every image is resized to; default the size of the first training image. */
  imageSize?: readonly [number, number];
  /** 1 = grayscale (BT.601 luma), 3 = RGB; default `3`. Alpha is dropped. */
  channels?: 1 | 3;
  /** Interpolation when resizing; default `'bilinear'`. */
  resize?: ResizeMethod;
  /** Keep this many training samples; default all. */
  trainSubset?: number;
  /** Keep this many test samples; default all. */
  testSubset?: number;
  /** Subset strategy; default `'stratified'`. */
  subset?: SubsetStrategy;
  /** Seed of the stratified subset; default `0`. */
  seed?: number;
  /** Scale pixels from 0..255 to [0, 1]; default `true`. */
  scale?: boolean;
}

const IMAGE_FILE = /\.(png|jpe?g)$/i;
const LAYOUT_HINT = 'lay the images out as <root>/train/<class>/*.png|jpg and <root>/test/<class>/*.png|jpg, and set data.path to <root>';

async function listDir(dir: string, what: string): Promise<import('node:fs').Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissingFileError(err)) throw fileNotFound(dir, what, LAYOUT_HINT, err);
    throw err;
  }
}

async function listSplit(root: string, split: string, classes: readonly string[] | undefined) {
  const splitDir = join(root, split);
  const classDirs = (await listDir(splitDir, `image-folder ${split} split folder`))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const names = classes ?? classDirs;
  if (names.length === 0) throw fileNotFound(splitDir, `class folders in ${split} split`, LAYOUT_HINT);
  const files: string[] = [];
  const labels: number[] = [];
  for (const cls of classDirs) {
    const label = names.indexOf(cls);
    if (label === -1) {
      throw badInput(
        `class folder ${join(splitDir, cls)} has no counterpart in the train split (classes: ${names.join(', ')})`,
        'give train and test the same class folders (an empty train folder is enough)',
      );
    }
    const entries = (await listDir(join(splitDir, cls), 'class folder'))
      .filter((e) => e.isFile() && IMAGE_FILE.test(e.name))
      .map((e) => e.name)
      .sort();
    for (const name of entries) {
      files.push(join(splitDir, cls, name));
      labels.push(label);
    }
  }
  if (files.length === 0) throw fileNotFound(splitDir, `PNG/JPEG images in ${split} split`, LAYOUT_HINT);
  return { classes: names, files, labels: Int32Array.from(labels) };
}

function toChannels(img: RgbaImage, channels: 1 | 3, factor: number): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n * channels);
  const d = img.data;
  for (let p = 0; p < n; p++) {
    const r = d[p * 4];
    const g = d[p * 4 + 1];
    const b = d[p * 4 + 2];
    if (channels === 1) {
      out[p] = (0.299 * r + 0.587 * g + 0.114 * b) * factor;
    } else {
      out[p * 3] = r * factor;
      out[p * 3 + 1] = g * factor;
      out[p * 3 + 2] = b * factor;
    }
  }
  return out;
}

async function decodeFile(file: string): Promise<RgbaImage> {
  return decodeImage(await readFile(file), file);
}

async function loadSplit(
  listing: { classes: readonly string[]; files: string[]; labels: Int32Array },
  split: 'train' | 'test',
  size: number | undefined,
  opts: LoadImageFolderOptions,
  imageSize: readonly [number, number],
): Promise<ImageDataset> {
  const channels = opts.channels ?? 3;
  const numClasses = listing.classes.length;
  const indices =
    size === undefined || size >= listing.files.length
      ? undefined
      : selectSubsetIndices(listing.labels, numClasses, size, { strategy: opts.subset, seed: opts.seed });
  const count = indices ? indices.length : listing.files.length;
  const [h, w] = imageSize;
  const per = h * w * channels;
  const factor = opts.scale === false ? 1 : 1 / 255;
  const images = new Float32Array(count * per);
  const labels = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const i = indices ? indices[k] : k;
    const img = await decodeFile(listing.files[i]);
    const pixels = toChannels(img, channels, factor);
    images.set(resizeImage(pixels, [img.height, img.width], [h, w], channels, opts.resize ?? 'bilinear'), k * per);
    labels[k] = listing.labels[i];
  }
  return {
    name: `image-folder/${split}`,
    images,
    labels,
    shape: [h, w, channels],
    numClasses,
    count,
    classNames: listing.classes,
  };
}

/**
 * Load an image-classification folder tree: `root/train/<class>/*.png|jpg` and
 * `root/test/<class>/*.png|jpg`. Class indices follow the sorted train class-folder names; files
 * are read in sorted order. Images of another size are resized to `imageSize`.
 * @throws OmnipruneError `E_FILE_NOT_FOUND` (missing split folder, no images), `E_CORRUPT_FILE`
 *   (undecodable image), `E_BAD_INPUT` (test class absent from train)
 * @example
 * const { train, test } = await loadImageFolder({ root: './flowers', imageSize: [64, 64], channels: 3 });
 */
export async function loadImageFolder(opts: LoadImageFolderOptions): Promise<DataSplits> {
  const trainList = await listSplit(opts.root, 'train', undefined);
  const testList = await listSplit(opts.root, 'test', trainList.classes);
  let imageSize = opts.imageSize;
  if (imageSize === undefined) {
    const first = await decodeFile(trainList.files[0]);
    imageSize = [first.height, first.width];
  }
  const train = await loadSplit(trainList, 'train', opts.trainSubset, opts, imageSize);
  const test = await loadSplit(testList, 'test', opts.testSubset, opts, imageSize);
  return { train, test };
}
