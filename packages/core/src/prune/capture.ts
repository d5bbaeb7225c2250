import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Features } from '@omniprune/plugin-api';
import type { ImageDataset } from '../data/types.js';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { adapterFor } from '../graph/layer-adapters.js';
import { collectOutputs } from '../train/forward.js';

/** Features of one layer for a set of samples (declared in `@omniprune/plugin-api`). */
export type { Features };

/** True for layers that may trail the classifier (softmax, dropout: `classifierTail` in the layer table). */
const isClassifierTail = (layer: tfl.layers.Layer): boolean =>
  adapterFor(layer.getClassName(), layer.getConfig() as Record<string, unknown>)?.classifierTail === true;

/**
 * The penultimate layer: the input of the last weighted layer (the classifier), skipping a trailing softmax or
 * dropout (layers the table marks `classifierTail`).
 * For the zoo's models this is the global-average-pooled features (`gap`).
 * @example
 * penultimateLayer(resnet({ depth: 20, inputShape: [32, 32, 3], classes: 10 })) // 'gap'
 */
export function penultimateLayer(model: tfl.LayersModel): string {
  let layer = model.outputLayers[0];
  while (layer && isClassifierTail(layer)) layer = layer.inboundNodes[0]?.inboundLayers[0] as typeof layer;
  const input = layer?.inboundNodes[0]?.inboundLayers[0];
  if (!input)
    throw new OmnipruneError('E_UNSUPPORTED_LAYER', `cannot find the penultimate layer of ${model.name}`, {
      hint: 'name the representation layer explicitly (similarity.layer)',
    });
  return input.name;
}

/**
 * Capture the outputs of `layerName` for every sample of `ds`, flattened per sample.
 * @example
 * const f = await captureFeatures(model, 'gap', test); // f.rows === test.count, f.cols === 64
 */
export async function captureFeatures(model: tfl.LayersModel, layerName: string, ds: ImageDataset, batchSize = 256): Promise<Features> {
  const layer = model.layers.find((l) => l.name === layerName);
  if (!layer) {
    throw new OmnipruneError('E_BAD_INPUT', `model ${model.name} has no layer "${layerName}" to capture`, {
      hint: 'a removed layer cannot be the representation layer; use penultimate or a layer every candidate keeps',
    });
  }
  const output = layer.output as tfl.SymbolicTensor;
  const cols = (output.shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  const sub = output === model.outputs[0] ? model : tfl.model({ inputs: model.inputs, outputs: output });
  const sampleShape = model.inputs[0].shape.slice(1) as number[];
  const data = await collectOutputs(ds, batchSize, cols, sampleShape, (x) => tf.reshape(sub.apply(x, { training: false }) as tf.Tensor, [-1, cols]));
  return { data, rows: ds.count, cols };
}

/** Features as a `rows x cols` tensor (the caller disposes it). */
export function featuresToTensor(f: Features): tf.Tensor2D {
  return tf.tensor2d(f.data, [f.rows, f.cols]);
}
