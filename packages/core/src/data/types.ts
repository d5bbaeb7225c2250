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

/** A train/test pair of datasets, with a validation split when one was held out of training. */
export interface DataSplits {
  readonly train: ImageDataset;
  readonly test: ImageDataset;
  /** Held out of `train` (dataset spec `validation: { count }`); never trained on. */
  readonly validation?: ImageDataset;
}
