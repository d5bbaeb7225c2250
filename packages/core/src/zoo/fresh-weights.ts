import type * as tfl from '@tensorflow/tfjs-layers';
import { jsonToModel, modelToJson } from '../graph/model-json.js';
import { inheritAnnotations } from '../io/model-annotations.js';
import { weightSeed } from './common.js';

/** A Keras initializer entry in a layer config: `{ class_name, config: { seed?, ... } }`. */
interface InitializerJson {
  class_name: string;
  config?: Record<string, unknown>;
}

/** Initialisers that draw random numbers (Keras/TF.js class names): the ones a seed applies to. */
const RANDOM_INITIALIZER = /Normal|Uniform|VarianceScaling|Orthogonal/;

function isRandomInitializer(value: unknown): value is InitializerJson {
  return typeof value === 'object' && value !== null && RANDOM_INITIALIZER.test(String((value as InitializerJson).class_name));
}

/**
 * The same architecture as `model` with freshly initialised weights (each layer's own initialisers: He/Glorot
 * kernels, zero biases, unit batch-norm scales and variances), for training a pruned architecture from scratch
 * (Liu et al. 2019, "Rethinking the value of network pruning"). Every random initialiser is reseeded from
 * `(seed, layer, argument)`, so the weights are a function of `seed` alone, not of the seed the original was built
 * with. The model's annotations (origin format, classifier reading) carry over; `model` is left untouched.
 * @example
 * const scratch = await freshWeights(pruned, 1); countCost(scratch).flops === countCost(pruned).flops; // true
 */
export async function freshWeights(model: tfl.LayersModel, seed: number): Promise<tfl.LayersModel> {
  const json = modelToJson(model);
  for (const layer of json.config.layers) {
    const config = layer.config as Record<string, unknown>;
    for (const [key, value] of Object.entries(config)) {
      if (!key.endsWith('_initializer') || !isRandomInitializer(value)) continue;
      value.config = { ...value.config, seed: weightSeed(seed, `${layer.name}/${key}`) };
    }
  }
  return inheritAnnotations(model, await jsonToModel(json));
}
