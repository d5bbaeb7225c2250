import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../data/types.js';
import { evaluateClassifier, predictLogits } from '../train/forward.js';
import { captureFeatures, type Features } from './capture.js';

/**
 * Where forward-only work runs: activation capture for the similarity metric, evaluation, and the data-driven
 * importance criteria (`block-kl`, `kl`, head criteria), which read it from `ProposeContext.runner`. Training always
 * runs on the TF.js compute backend. `@omniprune/onnx` provides an onnxruntime runner. Every call sees the model's
 * weights as they are at that moment (criteria mask weights in place between calls).
 */
export interface InferenceRunner {
  /** Name recorded in logs, e.g. `tfjs`, `onnxruntime`. */
  readonly name: string;
  /** Outputs of layer `layer` for every image of `ds`, flattened per image (TF.js layout). Batch size default 256. */
  capture(model: tfl.LayersModel, layer: string, ds: ImageDataset, batchSize?: number): Promise<Features>;
  /** Mean cross-entropy and accuracy on `ds`, as {@link evaluateClassifier} computes them. */
  evaluate(model: tfl.LayersModel, ds: ImageDataset): Promise<{ loss: number; accuracy: number }>;
  /**
   * Log-probabilities up to a per-row constant, `[ds.count, classes]` row-major, as core's `predictLogits` computes
   * them: the logits core's `classifierOutput` finds, else `log` of its clipped probabilities.
   */
  predictLogits(model: tfl.LayersModel, ds: ImageDataset, batchSize?: number): Promise<Float32Array>;
}

/** The default runner: the TF.js compute backend. */
export const tfjsInferenceRunner: InferenceRunner = Object.freeze({
  name: 'tfjs',
  capture: (model: tfl.LayersModel, layer: string, ds: ImageDataset, batchSize?: number) => captureFeatures(model, layer, ds, batchSize),
  evaluate: (model: tfl.LayersModel, ds: ImageDataset) => evaluateClassifier(model, ds),
  predictLogits: (model: tfl.LayersModel, ds: ImageDataset, batchSize = 256) => predictLogits(model, ds, { batchSize }),
});

/**
 * The runner a criterion should use for its forward passes: the run's (`ctx.runner`), or TF.js when the context
 * has none (a context built by hand, e.g. in a plugin's tests).
 * @example
 * const logits = await runnerOf(ctx).predictLogits(ctx.parent, sample);
 */
export function runnerOf(ctx: { readonly runner?: InferenceRunner }): InferenceRunner {
  return ctx.runner ?? tfjsInferenceRunner;
}
