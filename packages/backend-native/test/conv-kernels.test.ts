import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { disableNativeKernels, enableNativeKernels, loadNativeAddon, nativeKernelsEnabled } from '../src/index.js';
import { expectNoMemoryGrowth } from './memory-growth.js';
import { useNativeAddon } from './native-suite.js';

// Skipped with the reason where the addon is not built (no g++ or libdnnl-dev, or OMNIPRUNE_SKIP_NATIVE);
// CI installs both and sets OMNIPRUNE_REQUIRE_NATIVE, under which an unavailable addon fails the suite.
useNativeAddon(async () => {
  await tf.setBackend('wasm');
  enableNativeKernels({ threads: 2 });
});

type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;
interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dilations?: number;
}

const CASES: Case[] = [
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same' },
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 5], strides: 2, pad: 'same' },
  { x: [3, 8, 7, 4], filter: [3, 3, 4, 6], strides: 2, pad: 'valid' }, // unused trailing rows
  { x: [1, 11, 10, 2], filter: [5, 3, 2, 3], strides: [3, 2], pad: 'same' },
  { x: [2, 8, 8, 16], filter: [1, 1, 16, 32], strides: 2, pad: 'valid' }, // ResNet projection
  {
    x: [2, 7, 9, 3],
    filter: [2, 4, 3, 1],
    strides: 1,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  { x: [1, 10, 10, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same', dilations: 2 },
];

function seeded(shape: number[], seed: number): Float32Array {
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed * 1000 + i * 1.37));
}

/** Forward (plain and fused with bias + ReLU) and both gradients of a case, on the active backend. */
function compute(c: Case): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(seeded(c.x, 1), c.x);
    const w = tf.tensor4d(seeded(c.filter, 2), c.filter);
    const bias = tf.tensor1d(seeded([c.filter[3]], 3));
    const y = tf.conv2d(x, w, c.strides, c.pad, 'NHWC', c.dilations ?? 1);
    const fused = tf.fused.conv2d({ x, filter: w, strides: c.strides, pad: c.pad, dilations: c.dilations ?? 1, bias, activation: 'relu' });
    const dy = tf.tensor(seeded(y.shape, 4), y.shape);
    const out: tf.Tensor[] = [y, fused];
    if ((c.dilations ?? 1) === 1) {
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), dy)))([x, w]);
      out.push(dx, dw);
    }
    return out.map((t) => t.dataSync() as Float32Array);
  });
}

async function on<T>(backend: string, fn: () => T): Promise<T> {
  const before = tf.getBackend();
  await tf.setBackend(backend);
  try {
    return fn();
  } finally {
    await tf.setBackend(before);
  }
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(1, ...Array.from(expected, Math.abs));
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst / scale).toBeLessThan(1e-5);
}

describe('native oneDNN convolution kernels on the wasm heap', () => {
  it('are registered on wasm and say what they run on', () => {
    expect(nativeKernelsEnabled()).toBe(true);
    expect(tf.getBackend()).toBe('wasm');
    expect((loadNativeAddon() as Exclude<ReturnType<typeof loadNativeAddon>, Error>).info()).toMatch(/^oneDNN \d+\.\d+\.\d+, 2 threads$/);
  });

  it.each(CASES.map((c) => [`${c.x} * ${c.filter}, strides ${c.strides}, pad ${JSON.stringify(c.pad)}, dilations ${c.dilations ?? 1}`, c] as const))(
    'equal the cpu backend: forward, fused bias+ReLU, input and filter gradients (%s)',
    async (_, c) => {
      const native = compute(c);
      const cpu = await on('cpu', () => compute(c));
      expect(native).toHaveLength(cpu.length);
      native.forEach((values, i) => expectClose(values, cpu[i]));
    },
  );

  it('hand NCHW and unsupported fused activations to the kernels they replaced', async () => {
    const c: Case = { x: [1, 6, 6, 2], filter: [3, 3, 2, 2], strides: 1, pad: 'same' };
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(seeded(c.x, 1), c.x);
        const w = tf.tensor4d(seeded(c.filter, 2), c.filter);
        return tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', activation: 'elu' }).dataSync() as Float32Array;
      });
    expectClose(run(), await on('cpu', run));
  });

  it('leak no tensors and no memory over 1,000 calls', () => {
    const c = CASES[1];
    const step = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(seeded(c.x, 1), c.x);
        const w = tf.tensor4d(seeded(c.filter, 2), c.filter);
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))))([x, w]);
        tf.fused.conv2d({ x, filter: w, strides: 2, pad: 'same', activation: 'relu' }).dataSync();
        return [dx.dataSync()[0], dw.dataSync()[0]];
      });
    expectNoMemoryGrowth(step);
  });

  it('disable puts the replaced wasm kernels back; enable registers the same native ones again', () => {
    const native = tf.getKernel('Conv2D', 'wasm')!.kernelFunc;
    disableNativeKernels();
    expect(nativeKernelsEnabled()).toBe(false);
    expect(tf.getKernel('Conv2D', 'wasm')!.kernelFunc).not.toBe(native);
    enableNativeKernels();
    expect(tf.getKernel('Conv2D', 'wasm')!.kernelFunc).toBe(native);
  });
});
