/**
 * An in-memory image classification dataset, NHWC float32 pixels and int labels.
 * Plain typed arrays (not tensors) so that holding 60k images costs no backend memory.
 */
export interface ImageDataset {
  /** Human-readable name, e.g. `fashion-mnist/train`. */
  readonly name: string;
  /** Pixels, `count * height * width * channels`, NHWC order. */
  readonly images: Float32Array;
  /** Class index per image, `count` entries. */
  readonly labels: Int32Array;
  /** `[height, width, channels]` of one image. */
  readonly shape: readonly [number, number, number];
  /** Number of classes. */
  readonly numClasses: number;
  /** Number of images. */
  readonly count: number;
  /** Optional class names, `numClasses` entries. */
  readonly classNames?: readonly string[];
}

/** One mini-batch as plain typed arrays (fresh arrays per batch; safe to keep). */
export interface Batch {
  /** `size * h * w * c` pixels, NHWC. */
  readonly x: Float32Array;
  /** `size` labels. */
  readonly y: Int32Array;
  /** Number of samples in this batch (the last one may be smaller than `batchSize`). */
  readonly size: number;
  /** The samples' rows in the dataset they were drawn from, when the source knows them (lets a trainer look up per-sample caches). */
  readonly indices?: Int32Array;
}

/** Features of one layer for a set of samples: `rows x cols`, row-major. */
export interface Features {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** A seeded pseudo-random generator (mulberry32). Deterministic across platforms. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** In-place Fisher-Yates shuffle; returns the same array. */
  shuffle<T>(items: T[]): T[];
  /** The generator's current state, to resume it later with core's `createRng`. */
  state(): number;
}
