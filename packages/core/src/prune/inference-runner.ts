import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../data/types.js';
import { evaluateClassifier } from '../train/forward.js';
import { captureFeatures, type Features } from './capture.js';

/**
 * Where the orchestrator's forward-only work runs: activation capture for the similarity metric and evaluation.
 * Training always runs on the TF.js compute backend. `@omniprune/onnx` provides an onnxruntime runner.
 */
export interface InferenceRunner {
  /** Name recorded in logs, e.g. `tfjs`, `onnxruntime`. */
  readonly name: string;
  /** Outputs of layer `layer` for every image of `ds`, flattened per image (TF.js layout). */
  capture(model: tfl.LayersModel, layer: string, ds: ImageDataset): Promise<Features>;
  /** Mean cross-entropy and accuracy on `ds`, as {@link evaluateClassifier} computes them. */
  evaluate(model: tfl.LayersModel, ds: ImageDataset): Promise<{ loss: number; accuracy: number }>;
}

/** The default runner: the TF.js compute backend. */
export const tfjsInferenceRunner: InferenceRunner = Object.freeze({
  name: 'tfjs',
  capture: (model: tfl.LayersModel, layer: string, ds: ImageDataset) => captureFeatures(model, layer, ds),
  evaluate: (model: tfl.LayersModel, ds: ImageDataset) => evaluateClassifier(model, ds),
});
