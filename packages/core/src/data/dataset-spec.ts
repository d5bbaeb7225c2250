import { join } from 'node:path';
import { z } from 'zod';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { loadCifar } from './cifar-binary.js';
import { DATA_COMPONENT, badInput } from './data-errors.js';
import { defaultDatasetCacheDir } from './download.js';
import { loadIdxDataset } from './idx-dataset.js';
import { loadImageFolder } from './image-folder.js';
import { selectSubsetIndices, subsetDataset, takeIndices, type SubsetOptions } from './subset.js';
import type { DataSplits } from './types.js';

const positiveInt = z.number().int().positive();

const common = {
  /** Folder (or archive, for CIFAR) holding the dataset. */
  path: z.string().min(1).optional(),
  trainSubset: positiveInt.optional(),
  testSubset: positiveInt.optional(),
  subset: z.enum(['first', 'stratified']).default('stratified'),
  /** Seed of the `trainSubset`/`testSubset` draws. Default: the pipeline's `seed` in a pipeline run, else 0. */
  seed: z.number().int().optional(),
  scale: z.boolean().default(true),
  /**
   * A validation split held out of the training split before `trainSubset` is drawn: `count` images, stratified,
   * drawn with its own `seed` (default 0) so that every run and the base model's training hold out the same images.
   */
  validation: z.strictObject({ count: positiveInt, seed: z.number().int().default(0) }).optional(),
};

/**
 * Zod schema of a dataset spec, as written under `data:` in a pipeline YAML. `name` selects the
 * loader; unknown keys are rejected so that typos surface before any file is read.
 * - `fashion-mnist` | `mnist`: IDX files in `path`, else system folder / cache / download
 *   (`download` default true unless env `OMNIPRUNE_OFFLINE=1`; `cacheDir` default the user cache).
 * - `cifar10` | `cifar100`: official binary version, `path` = folder or `.tar.gz` (default
 *   `<cache>/cifar10` or `<cache>/cifar100`); `labelMode` (CIFAR-100) default `'fine'`.
 * - `image-folder`: `path` required; `imageSize` default first image's size; `channels` default 3;
 *   `resize` default `'bilinear'`.
 *
 * Common defaults: `subset: 'stratified'`, `seed: 0` (the pipeline's seed in a pipeline), `scale: true` (pixels in [0, 1]); no subset
 * unless `trainSubset`/`testSubset` is set.
 * @example
 * datasetSpecSchema.parse({ name: 'fashion-mnist', trainSubset: 5000, seed: 1 });
 */
export const datasetSpecSchema = z.discriminatedUnion('name', [
  z.strictObject({
    name: z.enum(['fashion-mnist', 'mnist']),
    ...common,
    download: z.boolean().optional(),
    cacheDir: z.string().min(1).optional(),
  }),
  z.strictObject({ name: z.literal('cifar10'), ...common }),
  z.strictObject({ name: z.literal('cifar100'), ...common, labelMode: z.enum(['fine', 'coarse']).default('fine') }),
  z.strictObject({
    name: z.literal('image-folder'),
    ...common,
    path: z.string().min(1),
    imageSize: z.tuple([positiveInt, positiveInt]).optional(),
    channels: z.union([z.literal(1), z.literal(3)]).default(3),
    resize: z.enum(['nearest', 'bilinear']).default('bilinear'),
  }),
]);

/** A dataset spec as written by a user (defaults optional). */
export type DatasetSpecInput = z.input<typeof datasetSpecSchema>;
/** A validated dataset spec with defaults filled in. */
export type DatasetSpec = z.output<typeof datasetSpecSchema>;

/** Dataset names {@link loadDataset} understands. */
export const DATASET_NAMES = ['fashion-mnist', 'mnist', 'cifar10', 'cifar100', 'image-folder'] as const;

function parseSpec(spec: unknown): DatasetSpec {
  const result = datasetSpecSchema.safeParse(spec);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(spec)'}: ${issue.message}`).join('; ');
  throw new OmnipruneError('E_SCHEMA', `invalid dataset spec: ${details}`, {
    plugin: DATA_COMPONENT,
    hint: `fix the data section; name is one of ${DATASET_NAMES.join(', ')}`,
    cause: result.error,
  });
}

/**
 * Validate a dataset spec and load its train/test splits.
 * @throws OmnipruneError `E_SCHEMA` (invalid spec), `E_FILE_NOT_FOUND`, `E_CORRUPT_FILE`
 * @example
 * const { train, test } = await loadDataset({ name: 'fashion-mnist', trainSubset: 10000, testSubset: 2000, seed: 7 });
 * const cifar = await loadDataset({ name: 'cifar10', path: './cifar-10-binary.tar.gz' });
 */
export async function loadDataset(spec: DatasetSpecInput): Promise<DataSplits> {
  const s = parseSpec(spec);
  const splits = await loadSplits(s, s.validation ? undefined : s.trainSubset);
  if (!s.validation) return splits;
  return holdOutValidation(splits, s.validation, s.trainSubset, { strategy: s.subset, seed: s.seed ?? 0 });
}

/** Carve `validation.count` stratified images out of the training split, then draw `trainSubset` from the rest. */
function holdOutValidation(
  splits: DataSplits,
  validation: { count: number; seed: number },
  trainSubset: number | undefined,
  options: SubsetOptions,
): DataSplits {
  const { train } = splits;
  if (validation.count >= train.count) {
    throw badInput(
      `validation.count ${validation.count} leaves nothing of the ${train.count} training images`,
      'hold out fewer images, e.g. a tenth of the training split',
    );
  }
  const held = selectSubsetIndices(train.labels, train.numClasses, validation.count, { strategy: 'stratified', seed: validation.seed });
  const isHeld = new Uint8Array(train.count);
  for (const i of held) isHeld[i] = 1;
  const rest = takeIndices(
    train,
    Int32Array.from({ length: train.count }, (_, i) => i).filter((i) => !isHeld[i]),
  );
  return {
    ...splits,
    train: { ...subsetDataset(rest, trainSubset, options), name: train.name },
    validation: { ...takeIndices(train, held), name: train.name.replace(/train$/, 'validation') },
  };
}

async function loadSplits(s: DatasetSpec, trainSubset: number | undefined): Promise<DataSplits> {
  const shared = {
    trainSubset,
    testSubset: s.testSubset,
    subset: s.subset,
    seed: s.seed ?? 0,
    scale: s.scale,
  };
  switch (s.name) {
    case 'fashion-mnist':
    case 'mnist':
      return loadIdxDataset({ name: s.name, dir: s.path, cacheDir: s.cacheDir, download: s.download, ...shared });
    case 'cifar10':
      return loadCifar({ name: 'cifar10', path: s.path ?? join(defaultDatasetCacheDir(), 'cifar10'), ...shared });
    case 'cifar100':
      return loadCifar({
        name: 'cifar100',
        path: s.path ?? join(defaultDatasetCacheDir(), 'cifar100'),
        labelMode: s.labelMode,
        ...shared,
      });
    case 'image-folder':
      return loadImageFolder({
        root: s.path,
        imageSize: s.imageSize,
        channels: s.channels,
        resize: s.resize,
        ...shared,
      });
  }
}
