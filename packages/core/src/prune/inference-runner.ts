import type * as tfl from '@tensorflow/tfjs-layers';
import type { InferenceRunner } from '@omniprune/plugin-api';
import type { ImageDataset } from '../data/types.js';
import { evaluateClassifier, predictLogits } from '../train/forward.js';
import { tfjsTimedModel } from '../metrics/timed-model.js';
import { captureFeatures } from './capture.js';

/** Where forward-only work runs (declared in `@omniprune/plugin-api`); `@omniprune/onnx` provides an onnxruntime runner. */
export type { InferenceRunner };

/** The default runner: the TF.js compute backend. */
export const tfjsInferenceRunner: InferenceRunner = Object.freeze({
  name: 'tfjs',
  capture: (model: tfl.LayersModel, layer: string, ds: ImageDataset, batchSize?: number) => captureFeatures(model, layer, ds, batchSize),
  evaluate: (model: tfl.LayersModel, ds: ImageDataset) => evaluateClassifier(model, ds),
  predictLogits: (model: tfl.LayersModel, ds: ImageDataset, batchSize = 256) => predictLogits(model, ds, { batchSize }),
  timed: async (model: tfl.LayersModel, shape: readonly number[], seed: number) => tfjsTimedModel(model, shape, seed),
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
