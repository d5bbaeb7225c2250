import { FASHION_MNIST_CLASS_NAMES, MNIST_CLASS_NAMES } from './class-names.js';

/** Datasets distributed as four IDX files (train/test images and labels). */
export type IdxDatasetName = 'fashion-mnist' | 'mnist';

/** One official IDX file: its name and the SHA-256 of the official gzipped file. */
export interface IdxFileSpec {
  /** Official file name, e.g. `train-images-idx3-ubyte.gz`. */
  readonly file: string;
  /** SHA-256 of the official `.gz` file, checked after every download. */
  readonly sha256: string;
}

/** Where an IDX dataset lives and how to verify it. */
export interface IdxSource {
  readonly classNames: readonly string[];
  /** Folders searched before the cache, e.g. what a Debian package installs. */
  readonly systemDirs: readonly string[];
  /** Base URLs (ending in `/`) tried in order for downloads. */
  readonly mirrors: readonly string[];
  /** What to tell a user who has none of the files. */
  readonly installHint: string;
  readonly files: {
    readonly trainImages: IdxFileSpec;
    readonly trainLabels: IdxFileSpec;
    readonly testImages: IdxFileSpec;
    readonly testLabels: IdxFileSpec;
  };
}

/**
 * Known IDX datasets and the SHA-256 of their official `.gz` files, checked after every download.
 * Fashion-MNIST: the Debian package `dataset-fashion-mnist` ships the same deflate streams under a
 * different gzip header (no file name, 2020 mtime); restoring the original header (name + mtime
 * 2017-08-31) reproduces the official MD5s listed in the package's README byte for byte, and the
 * SHA-256 of those bytes are the values below. MNIST: the SHA-256 of the canonical files that the
 * mirrors below serve, as published by several independent projects (not re-verified here).
 * @example
 * IDX_SOURCES['fashion-mnist'].files.trainImages.file; // 'train-images-idx3-ubyte.gz'
 */
export const IDX_SOURCES: Readonly<Record<IdxDatasetName, IdxSource>> = {
  'fashion-mnist': {
    classNames: FASHION_MNIST_CLASS_NAMES,
    systemDirs: ['/usr/share/datasets/fashion-mnist'],
    mirrors: [
      'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
      'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
    ],
    installHint: 'install Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or set data.path to a folder with the four IDX files',
    files: {
      trainImages: { file: 'train-images-idx3-ubyte.gz', sha256: '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84' },
      trainLabels: { file: 'train-labels-idx1-ubyte.gz', sha256: 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845' },
      testImages: { file: 't10k-images-idx3-ubyte.gz', sha256: '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073' },
      testLabels: { file: 't10k-labels-idx1-ubyte.gz', sha256: '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5' },
    },
  },
  mnist: {
    classNames: MNIST_CLASS_NAMES,
    systemDirs: [],
    mirrors: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'https://storage.googleapis.com/cvdf-datasets/mnist/'],
    installHint:
      'set data.path to a folder with the four MNIST IDX files (train-images-idx3-ubyte.gz, ...), or run once with network access so they are downloaded to the cache',
    files: {
      trainImages: { file: 'train-images-idx3-ubyte.gz', sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609' },
      trainLabels: { file: 'train-labels-idx1-ubyte.gz', sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c' },
      testImages: { file: 't10k-images-idx3-ubyte.gz', sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6' },
      testLabels: { file: 't10k-labels-idx1-ubyte.gz', sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6' },
    },
  },
};

/**
 * File names accepted for one official file: `x-idx3-ubyte.gz`, `x-idx3-ubyte`, and the
 * `x.idx3-ubyte[.gz]` spelling some archives use.
 * @example
 * idxFileCandidates('t10k-labels-idx1-ubyte.gz');
 * // ['t10k-labels-idx1-ubyte.gz', 't10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte', 't10k-labels.idx1-ubyte.gz']
 */
export function idxFileCandidates(officialName: string): string[] {
  const base = officialName.replace(/\.gz$/, '');
  const dotted = base.replace(/-(idx\d)-/, '.$1-');
  return [`${base}.gz`, base, dotted, `${dotted}.gz`];
}
