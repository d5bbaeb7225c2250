import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import { buildDependencyGraph, buildZooModel, createRng, weightShortName, type ImageDataset, type PruneCandidate, type ProposeContext } from '@omniprune/core';

/** Use the deterministic pure-JS cpu backend. */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Run `fn` and assert it leaves the number of live tensors unchanged. */
export async function expectNoLeaks<T>(fn: () => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

/** Random images in [-1, 1) with labels cycling over the classes. */
export function dataset(count: number, shape: [number, number, number], classes: number, seed: number): ImageDataset {
  const rng = createRng(seed);
  const images = new Float32Array(count * shape[0] * shape[1] * shape[2]).map(() => rng.next() * 2 - 1);
  const labels = new Int32Array(count).map((_, i) => i % classes);
  return { name: 'synthetic', images, labels, shape, numClasses: classes, count };
}

/** A propose context around `parent`. Log lines go to `logs`. */
export function contextFor(
  parent: tfl.LayersModel,
  options: { seed?: number; earlier?: PruneCandidate[]; logs?: string[]; train?: ImageDataset } = {},
): ProposeContext {
  const seed = options.seed ?? 1;
  const shape = parent.inputs[0].shape.slice(1) as [number, number, number];
  const classes = parent.outputs[0].shape[1] as number;
  return {
    parent,
    graph: buildDependencyGraph(parent),
    iteration: 1,
    rng: createRng(seed),
    train: options.train ?? (shape.length === 3 ? dataset(4 * classes, shape, classes, seed) : dataset(0, [1, 1, 1], classes, seed)),
    earlier: options.earlier ?? [],
    log: (m) => options.logs?.push(m),
  };
}

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

/** conv c1 (6) -> BN -> ReLU -> SeparableConv2D sep1 (5) -> BN -> ReLU -> SeparableConv2D sep2 (4, stride 2) -> GAP -> Dense 3. */
export function separableModel(): tfl.LayersModel {
  type S = tfl.SymbolicTensor;
  const input = tfl.input({ shape: [7, 7, 3], name: 'in' });
  let x = tfl.layers.conv2d({ name: 'c1', filters: 6, kernelSize: 3, padding: 'same', useBias: false }).apply(input) as S;
  x = tfl.layers.activation({ name: 'r1', activation: 'relu' }).apply(tfl.layers.batchNormalization({ name: 'bn1' }).apply(x)) as S;
  x = tfl.layers.separableConv2d({ name: 'sep1', filters: 5, kernelSize: 3, padding: 'same' }).apply(x) as S;
  x = tfl.layers.activation({ name: 'r_sep1', activation: 'relu' }).apply(tfl.layers.batchNormalization({ name: 'bn_sep1' }).apply(x)) as S;
  x = tfl.layers.separableConv2d({ name: 'sep2', filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false }).apply(x) as S;
  x = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as S;
  const out = tfl.layers.dense({ name: 'out', units: 3 }).apply(x) as S;
  return tfl.model({ inputs: input, outputs: out, name: 'separable' });
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
