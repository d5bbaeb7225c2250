import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildZooModel } from '@omniprune/core/zoo';
import { weightShortName } from '@omniprune/core/graph';
import type { PruneCandidate } from '@omniprune/plugin-api';

/** A ResNet-20 on 16x16x3 inputs with 4 classes. */
export function resnet20(seed = 1): tfl.LayersModel {
  return buildZooModel('resnet20', { inputShape: [16, 16, 3], classes: 4, seed });
}

/** A fake layer candidate that removed `units` units. */
export function layerCandidate(units: number): PruneCandidate {
  return { kind: 'layer', pruner: 'layer', plans: [{ kind: 'remove-block', block: 's1_b1_add' }], removedUnits: units, summary: 'fake' };
}

/** Deterministic weight values: `((i * 7) % 11 - 5) / 4`, so signs and magnitudes vary. */
export function pattern(n: number, offset = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => ((((i + offset) * 7) % 11) - 5) / 4);
}

/**
 * Tiny conv+BN chain: input [4,4,2] -> c1 (Conv2D 2x2, 3 filters) -> bn1 -> relu -> c2 (Conv2D 1x1, 2 filters)
 * -> gap -> logits (Dense 3) -> probs (softmax). c1 kernel, c2 kernel and bn1 gamma are set to known values.
 */
export function tinyConvModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [4, 4, 2], name: 'input' });
  let x = tfl.layers.conv2d({ name: 'c1', filters: 3, kernelSize: 2, useBias: true }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'bn1' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.activation({ name: 'relu1', activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.conv2d({ name: 'c2', filters: 2, kernelSize: 1 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ name: 'logits', units: 3 }).apply(x) as tfl.SymbolicTensor;
  const probs = tfl.layers.activation({ name: 'probs', activation: 'softmax' }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: probs, name: 'tiny_conv' });
  setWeight(model, 'c1', 'kernel', pattern(2 * 2 * 2 * 3));
  setWeight(model, 'c2', 'kernel', pattern(3 * 2, 3));
  setWeight(model, 'bn1', 'gamma', Float32Array.of(0.5, -2, 1));
  return model;
}

/** MLP: input [6] -> h1 (Dense 5, relu) -> logits (Dense 3) -> probs (softmax), h1 kernel set to known values. */
export function tinyMlp(): tfl.LayersModel {
  const input = tfl.input({ shape: [6], name: 'input' });
  const h = tfl.layers.dense({ name: 'h1', units: 5, activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ name: 'logits', units: 3 }).apply(h) as tfl.SymbolicTensor;
  const probs = tfl.layers.activation({ name: 'probs', activation: 'softmax' }).apply(logits) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: probs, name: 'tiny_mlp' });
  setWeight(model, 'h1', 'kernel', pattern(6 * 5, 1));
  return model;
}

/** Replace one weight of a layer (matched by the end of its name) with `values`. */
export function setWeight(model: tfl.LayersModel, layerName: string, weight: string, values: Float32Array): void {
  const layer = model.getLayer(layerName);
  const hit = layer.weights.map((w) => weightShortName(layerName, w) === weight);
  if (!hit.includes(true)) throw new Error(`no weight ${weight} in ${layerName}`);
  const next = layer.getWeights().map((w, i) => (hit[i] ? tf.tensor(values, w.shape) : w));
  layer.setWeights(next);
  next.forEach((t, i) => {
    if (hit[i]) t.dispose();
  });
}

/** Read one weight of a layer as a flat array. */
export function readWeight(model: tfl.LayersModel, layerName: string, weight: string): { values: Float32Array; shape: number[] } {
  const w = model.getLayer(layerName).weights.find((v) => weightShortName(layerName, v) === weight)!;
  return { values: w.read().dataSync() as Float32Array, shape: w.shape as number[] };
}
