import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { badInput, corruptFile, fileNotFound } from './data-errors.js';
import { defaultDatasetCacheDir, downloadVerified, type FetchLike } from './download.js';
import { readIdxFile } from './idx-format.js';
import { IDX_SOURCES, idxFileCandidates, type IdxDatasetName, type IdxFileSpec, type IdxSource } from './idx-sources.js';
import { selectSubsetIndices, type SubsetStrategy } from './subset.js';
import type { DataSplits, ImageDataset } from './types.js';

/** Options of {@link loadIdxDataset}. */
export interface LoadIdxOptions {
  /** Which dataset. */
  name: IdxDatasetName;
  /** Folder holding the four IDX files (gzipped or not). When set, only this folder is used. */
  dir?: string;
  /** Download cache; default `defaultDatasetCacheDir()/<name>`. */
  cacheDir?: string;
  /** Download missing files into `cacheDir`; default `true` unless env `OMNIPRUNE_OFFLINE=1`. */
  download?: boolean;
  /** Folders searched before the cache; default the dataset's system folders (see `IDX_SOURCES`). */
  systemDirs?: readonly string[];
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
  /** Download timeout per file in ms; default `120000`. */
  timeoutMs?: number;
  /** `fetch` used for downloads; default the global one (injectable for tests). */
  fetch?: FetchLike;
}

type FileRole = keyof IdxSource['files'];
const ROLES: readonly FileRole[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

async function findFile(dir: string, spec: IdxFileSpec): Promise<string | undefined> {
  for (const name of idxFileCandidates(spec.file)) {
    const file = join(dir, name);
    if (await exists(file)) return file;
  }
  return undefined;
}

async function findAll(dir: string, source: IdxSource): Promise<Record<FileRole, string> | undefined> {
  const found: Partial<Record<FileRole, string>> = {};
  for (const role of ROLES) {
    const file = await findFile(dir, source.files[role]);
    if (file === undefined) return undefined;
    found[role] = file;
  }
  return found as Record<FileRole, string>;
}

async function resolveFiles(opts: LoadIdxOptions, source: IdxSource): Promise<Record<FileRole, string>> {
  if (opts.dir !== undefined) {
    const found: Partial<Record<FileRole, string>> = {};
    for (const role of ROLES) {
      const file = await findFile(opts.dir, source.files[role]);
      if (file === undefined) {
        throw fileNotFound(
          join(opts.dir, source.files[role].file),
          `${opts.name} IDX file`,
          `put ${source.files[role].file} (or its gunzipped form) in ${opts.dir}, or ${source.installHint}`,
        );
      }
      found[role] = file;
    }
    return found as Record<FileRole, string>;
  }
  const cacheDir = opts.cacheDir ?? join(defaultDatasetCacheDir(), opts.name);
  const searched = [...(opts.systemDirs ?? source.systemDirs), cacheDir];
  for (const dir of searched) {
    const found = await findAll(dir, source);
    if (found) return found;
  }
  const download = opts.download ?? process.env.OMNIPRUNE_OFFLINE !== '1';
  if (!download) {
    throw fileNotFound(searched.join(', '), `${opts.name} IDX files (downloads disabled)`, source.installHint);
  }
  const found: Partial<Record<FileRole, string>> = {};
  for (const role of ROLES) {
    const spec = source.files[role];
    const existing = await findFile(cacheDir, spec);
    if (existing) {
      found[role] = existing;
      continue;
    }
    const dest = join(cacheDir, spec.file);
    await downloadVerified({
      urls: source.mirrors.map((m) => m + spec.file),
      dest,
      sha256: spec.sha256,
      timeoutMs: opts.timeoutMs,
      fetch: opts.fetch,
    });
    found[role] = dest;
  }
  return found as Record<FileRole, string>;
}

async function loadSplit(
  imagesFile: string,
  labelsFile: string,
  split: 'train' | 'test',
  size: number | undefined,
  opts: LoadIdxOptions,
  source: IdxSource,
): Promise<ImageDataset> {
  const labelsIdx = await readIdxFile(labelsFile, 1);
  const imagesIdx = await readIdxFile(imagesFile, 3);
  const [n, h, w] = imagesIdx.dims;
  if (labelsIdx.dims[0] !== n) {
    throw corruptFile(
      labelsFile,
      `${labelsIdx.dims[0]} labels for ${n} images in ${imagesFile}`,
      'the image and label files come from different releases or splits: replace both',
    );
  }
  const numClasses = source.classNames.length;
  for (let i = 0; i < n; i++) {
    if (labelsIdx.data[i] >= numClasses) {
      throw corruptFile(labelsFile, `label ${labelsIdx.data[i]} at index ${i} is not below ${numClasses}`, `this is not a ${opts.name} label file: replace it`);
    }
  }
  const indices =
    size === undefined || size >= n ? undefined : selectSubsetIndices(labelsIdx.data, numClasses, size, { strategy: opts.subset, seed: opts.seed });
  const count = indices ? indices.length : n;
  const per = h * w;
  const factor = opts.scale === false ? 1 : 1 / 255;
  const images = new Float32Array(count * per);
  const labels = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const i = indices ? indices[k] : k;
    labels[k] = labelsIdx.data[i];
    const src = imagesIdx.data.subarray(i * per, (i + 1) * per);
    const off = k * per;
    for (let p = 0; p < per; p++) images[off + p] = src[p] * factor;
  }
  return {
    name: `${opts.name}/${split}`,
    images,
    labels,
    shape: [h, w, 1],
    numClasses,
    count,
    classNames: source.classNames,
  };
}

/**
 * Load MNIST or Fashion-MNIST from IDX files (gzipped or not) as NHWC `[28, 28, 1]` datasets.
 * Files are looked up in `dir` when given; else in the system folders (Fashion-MNIST:
 * `/usr/share/datasets/fashion-mnist`, from Debian package `dataset-fashion-mnist`) and the cache;
 * else downloaded into the cache and checked against the official SHA-256.
 * @throws OmnipruneError `E_FILE_NOT_FOUND` (files missing, download impossible), `E_CORRUPT_FILE`
 * @example
 * const { train, test } = await loadIdxDataset({ name: 'fashion-mnist', trainSubset: 5000, seed: 1 });
 */
export async function loadIdxDataset(opts: LoadIdxOptions): Promise<DataSplits> {
  const source = IDX_SOURCES[opts.name];
  if (source === undefined) {
    throw badInput(`unknown IDX dataset ${String(opts.name)}`, `use one of ${Object.keys(IDX_SOURCES).join(', ')}`);
  }
  const files = await resolveFiles(opts, source);
  const train = await loadSplit(files.trainImages, files.trainLabels, 'train', opts.trainSubset, opts, source);
  const test = await loadSplit(files.testImages, files.testLabels, 'test', opts.testSubset, opts, source);
  return { train, test };
}
