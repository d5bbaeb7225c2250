import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { expectNoLeaks } from '../../src/testing/index.js';
import { expectCloseToScale, values } from './compare-backends.js';

afterAll(async () => {
  await initBackend('cpu');
});

/** Set every weight of `layers` to fixed pseudo-random values (same on every backend). */
function setFixedWeights(layers: tfl.layers.Layer[], scale = 0.5): void {
  let seed = 100;
  for (const layer of layers) {
    const weights = layer.getWeights().map((w) => tf.mul(tf.tensor(values(w.size, seed++), w.shape), scale));
    layer.setWeights(weights);
    tf.dispose(weights);
  }
}

/** Gradients of the softmax cross-entropy of `forward(x)` w.r.t. the trainable weights of `layers`, in order. */
async function gradients(
  layers: tfl.layers.Layer[],
  forward: (x: tf.Tensor) => tf.Tensor,
  x: Float32Array,
  xShape: number[],
  labels: number[],
): Promise<{ loss: number; grads: Float32Array[] }> {
  return expectNoLeaks(() => {
    const variables = layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
    const { value, grads } = tf.tidy(() => {
      const input = tf.tensor(x, xShape);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 4);
      return tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, forward(input)) as tf.Scalar, variables);
    });
    const result = { loss: value.dataSync()[0], grads: variables.map((v) => Float32Array.from(grads[v.name].dataSync())) };
    tf.dispose([value, ...Object.values(grads)]);
    return result;
  });
}

/** Build a model with `build` on `backend` (weights fixed) and return its gradients there. */
async function gradientsOn(
  backend: 'cpu' | 'wasm',
  build: () => { layers: tfl.layers.Layer[]; forward: (x: tf.Tensor) => tf.Tensor },
  xShape: number[],
  labels: number[],
): Promise<{ loss: number; grads: Float32Array[] }> {
  await initBackend(backend);
  const { layers, forward } = build();
  tf.tidy(() => forward(tf.zeros(xShape))); // create the weights
  setFixedWeights(layers);
  const x = values(
    xShape.reduce((a, b) => a * b, 1),
    7,
  );
  const result = await gradients(layers, forward, x, xShape, labels);
  for (const layer of layers) layer.dispose();
  return result;
}

function expectSameGradients(wasm: { loss: number; grads: Float32Array[] }, cpu: { loss: number; grads: Float32Array[] }, tol: number): void {
  expect(wasm.loss).toBeCloseTo(cpu.loss, 4);
  expect(wasm.grads.length).toBe(cpu.grads.length);
  cpu.grads.forEach((g, i) => {
    expectCloseToScale(wasm.grads[i], g, tol);
  });
}

/**
 * Sizes are chosen so that omniprune's wasm kernels take their fast paths (not the built-in fallbacks).
 * conv3x3 -> BN -> ReLU -> conv3x3/2 -> BN -> add(1x1/2 projection) -> ReLU -> GAP -> dense, as a ResNet block. */
function convBnModel() {
  const conv1 = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false });
  const bn1 = tfl.layers.batchNormalization({ axis: -1 });
  const conv2 = tfl.layers.conv2d({ filters: 12, kernelSize: 3, strides: 2, padding: 'same', useBias: false });
  const bn2 = tfl.layers.batchNormalization({ axis: -1 });
  const proj = tfl.layers.conv2d({ filters: 12, kernelSize: 1, strides: 2, padding: 'same' });
  const dense = tfl.layers.dense({ units: 4 });
  const layers = [conv1, bn1, conv2, bn2, proj, dense];
  const forward = (x: tf.Tensor) => {
    const y = tf.relu(bn1.apply(conv1.apply(x), { training: true }) as tf.Tensor);
    const z = bn2.apply(conv2.apply(y), { training: true }) as tf.Tensor;
    const sum = tf.relu(tf.add(z, proj.apply(y) as tf.Tensor));
    return dense.apply(tf.mean(sum, [1, 2])) as tf.Tensor;
  };
  return { layers, forward };
}

/** One pre-norm transformer block on [batch, tokens, dim] tokens (2 heads), mean-pooled, then a classifier. */
function miniVit() {
  const dim = 8;
  const heads = 2;
  const headDim = dim / heads;
  const ln1 = tfl.layers.layerNormalization({ axis: -1 });
  const qkv = tfl.layers.dense({ units: 3 * dim });
  const proj = tfl.layers.dense({ units: dim });
  const ln2 = tfl.layers.layerNormalization({ axis: -1 });
  const fc1 = tfl.layers.dense({ units: 2 * dim, activation: 'gelu' });
  const fc2 = tfl.layers.dense({ units: dim });
  const head = tfl.layers.dense({ units: 4 });
  const layers = [ln1, qkv, proj, ln2, fc1, fc2, head];
  const forward = (x: tf.Tensor) => {
    const [batch, tokens] = x.shape;
    const packed = qkv.apply(ln1.apply(x)) as tf.Tensor; // [batch, tokens, 3 * dim]
    const split = tf.transpose(tf.reshape(packed, [batch, tokens, 3, heads, headDim]), [2, 0, 3, 1, 4]);
    const [q, k, v] = tf.unstack(split).map((t) => t as tf.Tensor4D); // each [batch, heads, tokens, headDim]
    const attention = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(headDim)));
    const context = tf.reshape(tf.transpose(tf.matMul(attention, v), [0, 2, 1, 3]), [batch, tokens, dim]);
    const x1 = tf.add(x, proj.apply(context) as tf.Tensor);
    const x2 = tf.add(x1, fc2.apply(fc1.apply(ln2.apply(x1))) as tf.Tensor);
    return head.apply(tf.mean(x2, 1)) as tf.Tensor;
  };
  return { layers, forward };
}

describe('training step on wasm', () => {
  it('a conv + batch-norm + dense model gets the cpu gradients', async () => {
    const shape = [8, 12, 12, 3];
    const labels = [0, 1, 2, 3, 1, 2, 0, 3];
    const cpu = await gradientsOn('cpu', convBnModel, shape, labels);
    const wasm = await gradientsOn('wasm', convBnModel, shape, labels);
    expectSameGradients(wasm, cpu, 1e-4);
  });

  it('a transformer block (dense on 3-D, layer norm, gelu, attention) gets the cpu gradients', async () => {
    const shape = [8, 16, 8];
    const labels = [0, 3, 1, 2, 2, 1, 0, 3];
    const cpu = await gradientsOn('cpu', miniVit, shape, labels);
    const wasm = await gradientsOn('wasm', miniVit, shape, labels);
    expectSameGradients(wasm, cpu, 1e-4);
  });
});
