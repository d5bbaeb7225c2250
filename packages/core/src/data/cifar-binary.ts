import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CIFAR10_CLASS_NAMES } from './class-names.js';
import { badInput, corruptFile, fileNotFound, isMissingFileError } from './data-errors.js';
import { maybeGunzip } from './idx-format.js';
import { selectSubsetIndices, type SubsetStrategy } from './subset.js';
import { readTarEntries } from './tar-reader.js';
import type { DataSplits, ImageDataset } from './types.js';

/** Datasets in the official CIFAR binary format. */
export type CifarName = 'cifar10' | 'cifar100';

/** Options of {@link loadCifar}. */
export interface LoadCifarOptions {
  name: CifarName;
  /**
   * The extracted folder (`cifar-10-batches-bin`, `cifar-100-binary` or their parent), or the
   * official `cifar-10-binary.tar.gz` / `cifar-100-binary.tar.gz` archive itself.
   */
  path: string;
  /** CIFAR-100 label: 100 `'fine'` or 20 `'coarse'` classes; default `'fine'`. Ignored for CIFAR-10. */
  labelMode?: 'fine' | 'coarse';
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

const SIDE = 32;
const PIXELS = SIDE * SIDE;
const IMAGE_BYTES = 3 * PIXELS;

interface Layout {
  readonly folder: string;
  readonly train: readonly string[];
  readonly test: readonly string[];
  readonly labelBytes: number;
  readonly archive: string;
}

const LAYOUTS: Readonly<Record<CifarName, Layout>> = {
  cifar10: {
    folder: 'cifar-10-batches-bin',
    train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`),
    test: ['test_batch.bin'],
    labelBytes: 1,
    archive: 'cifar-10-binary.tar.gz',
  },
  cifar100: {
    folder: 'cifar-100-binary',
    train: ['train.bin'],
    test: ['test.bin'],
    labelBytes: 2,
    archive: 'cifar-100-binary.tar.gz',
  },
};

/** Reads files by base name from a folder or from an archive's entries. */
type FileSource = (name: string) => Promise<{ file: string; bytes: Uint8Array } | undefined>;

async function openSource(path: string, layout: Layout): Promise<FileSource> {
  const hint = `download ${layout.archive} (the "binary version") from https://www.cs.toronto.edu/~kriz/cifar.html and set data.path to it or to its extracted ${layout.folder} folder`;
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (err) {
    if (isMissingFileError(err)) throw fileNotFound(path, 'CIFAR dataset path', hint, err);
    throw err;
  }
  if (info.isFile()) {
    if (!/\.(tar|tar\.gz|tgz)$/i.test(path)) {
      throw fileNotFound(path, `CIFAR folder or .tar.gz archive (got a plain file)`, hint);
    }
    const archive = maybeGunzip(
      await readFile(path),
      path,
      `the archive is damaged: download it again or extract it and set data.path to the ${layout.folder} folder`,
    );
    const entries = new Map(readTarEntries(archive, path).map((e) => [basename(e.path), e.data]));
    return async (name) => {
      const bytes = entries.get(name);
      return bytes && { file: `${path}:${name}`, bytes };
    };
  }
  const nested = join(path, layout.folder);
  const dir = (await readdir(path)).includes(layout.folder) ? nested : path;
  return async (name) => {
    const file = join(dir, name);
    try {
      return { file, bytes: await readFile(file) };
    } catch (err) {
      if (isMissingFileError(err)) return undefined;
      throw err;
    }
  };
}

async function requireFile(source: FileSource, name: string, path: string, layout: Layout) {
  const found = await source(name);
  if (!found) {
    throw fileNotFound(
      join(path, name),
      `CIFAR batch file ${name}`,
      `point data.path at the extracted ${layout.folder} folder (it holds ${[...layout.train, ...layout.test].join(', ')}) or at ${layout.archive}`,
    );
  }
  return found;
}

async function readNames(source: FileSource, name: string): Promise<string[] | undefined> {
  const found = await source(name);
  if (!found) return undefined;
  const names = new TextDecoder()
    .decode(found.bytes)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return names.length > 0 ? names : undefined;
}

async function loadSplit(
  source: FileSource,
  files: readonly string[],
  split: 'train' | 'test',
  size: number | undefined,
  opts: LoadCifarOptions,
  layout: Layout,
  numClasses: number,
  classNames: readonly string[] | undefined,
): Promise<ImageDataset> {
  const record = layout.labelBytes + IMAGE_BYTES;
  const labelOffset = opts.name === 'cifar100' && (opts.labelMode ?? 'fine') === 'fine' ? 1 : 0;
  const chunks: Uint8Array[] = [];
  const allLabels: number[] = [];
  for (const name of files) {
    const { file, bytes } = await requireFile(source, name, opts.path, layout);
    if (bytes.length === 0 || bytes.length % record !== 0) {
      throw corruptFile(
        file,
        `${bytes.length} bytes is not a positive multiple of the ${record}-byte ${opts.name} record (truncated, or not ${opts.name})`,
        `download ${layout.archive} again and re-extract it`,
      );
    }
    for (let r = 0; r < bytes.length / record; r++) {
      const label = bytes[r * record + labelOffset];
      if (label >= numClasses) {
        throw corruptFile(
          file,
          `label ${label} of record ${r} is not below ${numClasses}`,
          `this is not a ${opts.name} batch file: re-extract ${layout.archive}`,
        );
      }
      allLabels.push(label);
      chunks.push(bytes.subarray(r * record, (r + 1) * record));
    }
  }
  const labelArray = Int32Array.from(allLabels);
  const indices =
    size === undefined || size >= labelArray.length ? undefined : selectSubsetIndices(labelArray, numClasses, size, { strategy: opts.subset, seed: opts.seed });
  const count = indices ? indices.length : labelArray.length;
  const factor = opts.scale === false ? 1 : 1 / 255;
  const images = new Float32Array(count * IMAGE_BYTES);
  const labels = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const i = indices ? indices[k] : k;
    labels[k] = labelArray[i];
    const rec = chunks[i];
    const out = k * IMAGE_BYTES;
    for (let c = 0; c < 3; c++) {
      const plane = layout.labelBytes + c * PIXELS;
      for (let p = 0; p < PIXELS; p++) images[out + p * 3 + c] = rec[plane + p] * factor;
    }
  }
  return { name: `${opts.name}/${split}`, images, labels, shape: [SIDE, SIDE, 3], numClasses, count, classNames };
}

/**
 * Load CIFAR-10 or CIFAR-100 from the official binary version (folder or `.tar.gz`) as NHWC
 * `[32, 32, 3]` datasets. Records are 1 label byte (CIFAR-100: coarse then fine) + 3072 bytes in
 * CHW order. Class names come from `batches.meta.txt` / `fine_label_names.txt` /
 * `coarse_label_names.txt` when present.
 * @throws OmnipruneError `E_FILE_NOT_FOUND` (path or batch file missing), `E_CORRUPT_FILE`
 * @example
 * const { train, test } = await loadCifar({ name: 'cifar10', path: './data/cifar-10-batches-bin' });
 */
export async function loadCifar(opts: LoadCifarOptions): Promise<DataSplits> {
  const layout = LAYOUTS[opts.name];
  if (layout === undefined) {
    throw badInput(`unknown CIFAR dataset ${String(opts.name)}`, "use 'cifar10' or 'cifar100'");
  }
  const source = await openSource(opts.path, layout);
  const coarse = opts.name === 'cifar100' && opts.labelMode === 'coarse';
  const numClasses = opts.name === 'cifar10' ? 10 : coarse ? 20 : 100;
  const classNames =
    opts.name === 'cifar10'
      ? ((await readNames(source, 'batches.meta.txt')) ?? CIFAR10_CLASS_NAMES)
      : await readNames(source, coarse ? 'coarse_label_names.txt' : 'fine_label_names.txt');
  const fallback = opts.name === 'cifar10' ? CIFAR10_CLASS_NAMES : undefined;
  const names = classNames && classNames.length === numClasses ? classNames : fallback;
  const train = await loadSplit(source, layout.train, 'train', opts.trainSubset, opts, layout, numClasses, names);
  const test = await loadSplit(source, layout.test, 'test', opts.testSubset, opts, layout, numClasses, names);
  return { train, test };
}
