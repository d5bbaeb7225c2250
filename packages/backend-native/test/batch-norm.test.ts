import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { BATCH_NORM_TRAIN, disableNativeKernels, enableNativeKernels, MOVING_AVERAGES } from '../src/index.js';
import { expectNoMemoryGrowth } from './memory-growth.js';
import { useNativeAddon } from './native-suite.js';

// Skipped with the reason where the addon is not built; fails instead under OMNIPRUNE_REQUIRE_NATIVE (CI).
useNativeAddon(async () => {
  await tf.setBackend('wasm');
  enableNativeKernels({ threads: 2 });
});

const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 100 + i * 0.73) * (1 + (i % 5)));

/** A BatchNormalization layer's training step: output, moving statistics and the gradients of a weighted sum. */
function trainingStep(shape: number[]): Float32Array[] {
  return tf.tidy(() => {
    const channels = shape[shape.length - 1];
    const layer = tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3 });
    layer.build(shape);
    layer.setWeights([
      tf.tensor1d(values(channels, 1)),
      tf.tensor1d(values(channels, 2)),
      tf.tensor1d(values(channels, 3)),
      tf.abs(tf.tensor1d(values(channels, 4))),
    ]);
    const x = tf.tensor(values(tf.util.sizeFromShape(shape), 5), shape);
    const weights = tf.tensor(values(tf.util.sizeFromShape(shape), 6), shape);
    const [gamma, beta] = layer.trainableWeights.map((w) => w.read());
    const loss = (input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, weights)) as tf.Scalar;
    const { value, grads } = tf.variableGrads(
      () => loss(x),
      [gamma as tf.Variable, beta as tf.Variable].filter((v) => v instanceof tf.Variable),
    );
    const dx = tf.grad(loss)(x);
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    return [y, dx, value, ...Object.values(grads), ...layer.getWeights().slice(2)].map((t) => t.dataSync() as Float32Array);
  });
}

async function onCpu<T>(fn: () => T): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return fn();
  } finally {
    await tf.setBackend('wasm');
  }
}

describe('native training-mode batch normalisation', () => {
  it.each([[[4, 5, 6, 3]], [[64, 8, 8, 16]], [[7, 5]]])('equals tfjs-layers on the cpu backend: output, gradients, moving statistics (%j)', async (shape) => {
    const kernelsUsed: string[] = [];
    const native = await (async () => {
      const profile = await tf.profile(() => {
        trainingStep(shape);
      });
      kernelsUsed.push(...profile.kernelNames);
      return trainingStep(shape);
    })();
    expect(kernelsUsed).toContain(BATCH_NORM_TRAIN);
    const cpu = await onCpu(() => trainingStep(shape));
    expect(native).toHaveLength(cpu.length);
    native.forEach((got, i) => {
      const scale = Math.max(1, ...Array.from(cpu[i], Math.abs));
      got.forEach((v, j) => expect(Math.abs(v - cpu[i][j]) / scale).toBeLessThan(2e-5));
    });
  });

  it('updates the moving statistics in one kernel, bit for bit what the three tfjs-core ops give', async () => {
    const profile = await tf.profile(() => {
      trainingStep([4, 5, 6, 3]);
    });
    expect(profile.kernelNames).toContain(MOVING_AVERAGES);
    expect(profile.kernelNames).not.toContain('Sub');
    const [moving, batch] = [values(37, 8), values(37, 9)];
    const [mean, variance] = tf.tidy(() =>
      (
        tf
          .engine()
          .runKernel(
            MOVING_AVERAGES,
            { movingMean: tf.tensor1d(moving), movingVariance: tf.tensor1d(batch), mean: tf.tensor1d(batch), variance: tf.tensor1d(moving) },
            { decay: 0.1 },
          ) as tf.Tensor[]
      ).map((t) => t.dataSync()),
    );
    const ops = (m: Float32Array, b: Float32Array) => tf.tidy(() => tf.sub(tf.tensor1d(m), tf.mul(tf.sub(tf.tensor1d(m), tf.tensor1d(b)), 0.1)).dataSync());
    expect(Array.from(mean)).toEqual(Array.from(ops(moving, batch)));
    expect(Array.from(variance)).toEqual(Array.from(ops(batch, moving)));
    expect(Array.from(mean)).not.toEqual(Array.from(moving));
  });

  it('leaks no tensors and no memory over 1,000 training steps (forward, gradient, moving statistics)', () => {
    const shape = [2, 8, 8, 16];
    const layer = tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3 });
    layer.build(shape);
    const x = tf.tensor(values(tf.util.sizeFromShape(shape), 5), shape);
    const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const step = () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, variables);
        return [value.dataSync()[0], ...Object.values(grads).map((g) => g.dataSync()[0])];
      });
    try {
      expectNoMemoryGrowth(step);
    } finally {
      x.dispose();
      for (const w of layer.weights) w.dispose();
    }
  });

  it('is not used when the native kernels are off', async () => {
    disableNativeKernels();
    try {
      const profile = await tf.profile(() => {
        trainingStep([4, 3, 3, 2]);
      });
      expect(profile.kernelNames).not.toContain(BATCH_NORM_TRAIN);
    } finally {
      enableNativeKernels();
    }
  });
});

describe('native inference batch norm and ReLU', () => {
  it.each([[[4, 5, 6, 3]], [[2, 8, 8, 64]], [[9, 7]]])('equal the cpu backend (%j)', async (shape) => {
    const run = () =>
      tf.tidy(() => {
        const channels = shape[shape.length - 1];
        const x = tf.tensor(values(tf.util.sizeFromShape(shape), 7), shape);
        const vector = (seed: number) => tf.tensor1d(values(channels, seed));
        const y = tf.batchNorm(x, vector(1), tf.abs(vector(2)), vector(3), vector(4), 1e-3);
        return [y, tf.relu(y), tf.relu(x)].map((t) => t.dataSync() as Float32Array);
      });
    const profile = await tf.profile(() => {
      run();
    });
    expect(tf.getKernel('FusedBatchNorm', 'wasm')?.kernelFunc).toBeDefined();
    expect(profile.kernelNames).toEqual(expect.arrayContaining(['FusedBatchNorm', 'Relu']));
    const native = run();
    const cpu = await onCpu(run);
    native.forEach((got, i) => got.forEach((v, j) => expect(Math.abs(v - cpu[i][j])).toBeLessThan(2e-5 * Math.max(1, Math.abs(cpu[i][j])))));
  });

  it('hands a broadcast (non-vector) batch norm to the wasm kernel', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor(values(24, 8), [2, 3, 4]);
        return tf.batchNorm(x, tf.tensor(values(12, 1), [3, 4]), tf.add(tf.abs(tf.tensor(values(12, 2), [3, 4])), 0.1)).dataSync() as Float32Array;
      });
    const native = run();
    const cpu = await onCpu(run);
    native.forEach((v, j) => expect(Math.abs(v - cpu[j])).toBeLessThan(1e-4));
  });
});
