import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { disableNativeKernels, enableNativeKernels, loadNativeAddon, nativeEltwiseKernels, RELU_GRAD, type NativeAddon } from '../src/index.js';
import { expectNoMemoryGrowth } from './memory-growth.js';
import { useNativeAddon } from './native-suite.js';

// Skipped with the reason where the addon is not built; fails instead under OMNIPRUNE_REQUIRE_NATIVE (CI).
useNativeAddon(async () => {
  await tf.setBackend('wasm');
  enableNativeKernels({ threads: 2 });
});

/** Deterministic pseudo-random numbers in [0, 1) (a fixed LCG: failures reproduce). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Values in [-2, 2) with every 7th one exactly 0 (the ReLU gradient's edge). */
function values(n: number, seed: number): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 0 : next() * 4 - 2));
}

/** Odd sizes, the NHWC shapes of a CIFAR ResNet, one past the single-thread limit (2^15 floats), random ranks 1-4. */
const SHAPES: number[][] = [[1], [7], [3, 5, 7], [2, 9, 9, 3], [64, 8, 8, 16], [1, 33, 31, 33], ...randomShapes(4, 11)];

function randomShapes(count: number, seed: number): number[][] {
  const next = rng(seed);
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(next() * 4) }, () => 1 + Math.floor(next() * 23)));
}

async function onCpu<T>(fn: () => T): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return fn();
  } finally {
    await tf.setBackend('wasm');
  }
}

const read = (t: tf.Tensor) => Array.from(t.dataSync() as Float32Array);

/** The ReLU gradient of a weighted sum, a residual block's gradient (Add forward, Add accumulating), AddN of 2 and 5. */
function compute(shape: number[]): { relu: number[]; residual: number[]; add: number[]; addN2: number[]; addN5: number[] } {
  return tf.tidy(() => {
    const size = tf.util.sizeFromShape(shape);
    const t = (seed: number) => tf.tensor(values(size, seed), shape);
    const [x, w, v] = [t(1), t(2), t(3)];
    const relu = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), w)))(x);
    const residual = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.add(tf.relu(tf.mul(a, v)), a)), w)))(x);
    return {
      relu: read(relu),
      residual: read(residual),
      add: read(tf.add(x, w)),
      addN2: read(tf.addN([x, w])),
      addN5: read(tf.addN([x, w, v, t(4), t(5)])),
    };
  });
}

/** The addon with each call recorded by name, and a fallback recording what it was handed. */
function recording(): { addon: NativeAddon; calls: string[]; handed: string[]; kernels: Record<string, tf.KernelFunc> } {
  const real = loadNativeAddon() as NativeAddon;
  const calls: string[] = [];
  const handed: string[] = [];
  const addon = Object.fromEntries(
    Object.getOwnPropertyNames(real).map((key) => [
      key,
      (...args: unknown[]) => {
        calls.push(key);
        return (real[key as keyof NativeAddon] as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as NativeAddon;
  disableNativeKernels();
  const wasm = { Add: tf.getKernel(tf.Add, 'wasm')!.kernelFunc, AddN: tf.getKernel(tf.AddN, 'wasm')!.kernelFunc };
  enableNativeKernels();
  const fallback = (name: string) => {
    handed.push(name);
    return wasm[name as keyof typeof wasm];
  };
  return { addon, calls, handed, kernels: nativeEltwiseKernels(addon, fallback) };
}

/** Run kernel `name` of `kernels` directly on wasm tensors; the output's values. */
function runKernel(kernels: Record<string, tf.KernelFunc>, name: string, inputs: tf.NamedTensorMap | tf.Tensor[]): number[] {
  const out = kernels[name]({ inputs: inputs as unknown as tf.NamedTensorInfoMap, backend: tf.backend(), attrs: {} }) as tf.TensorInfo;
  const t = tf.engine().makeTensorFromTensorInfo(out);
  const result = Array.from(t.dataSync());
  t.dispose();
  return result;
}

describe('native ReLU gradient, Add and AddN', () => {
  it.each(SHAPES.map((s) => [s]))('equal the cpu backend: ReLU gradient, residual block gradient, Add, AddN (%j)', async (shape) => {
    const profile = await tf.profile(() => {
      compute(shape);
    });
    expect(profile.kernelNames).toContain(RELU_GRAD);
    expect(profile.kernelNames).not.toContain('Step');
    const native = compute(shape);
    const cpu = await onCpu(() => compute(shape));
    // One multiply or add per element, in the same order: bit for bit.
    expect(native).toEqual(cpu);
  });

  it('second-order gradients through a ReLU equal the cpu backend', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor(values(63, 5), [7, 9]);
        const w = tf.tensor(values(63, 6), [7, 9]);
        // The first gradient runs OmnipruneReluGrad with a dy that depends on x (b * w); differentiated again.
        const inner = (a: tf.Tensor) => tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.relu(b), tf.mul(b, w))))(a);
        return read(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(inner(a), w)))(x));
      });
    expect(run()).toEqual(await onCpu(run));
  });

  it('ReLU gradient follows tfjs-core at the edges: 0 and -0 give 0, NaN gives NaN, infinities', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor1d([0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-30, -1e-30, 2]);
        const dy = tf.tensor1d([-1, 2, 3, -4, 5, Number.NaN, 7, Number.POSITIVE_INFINITY]);
        return read(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), dy)))(x));
      });
    expect(run()).toEqual(await onCpu(run));
  });

  it('run on the addon for float32 tensors of one shape, and hand everything else to the wasm kernels', () => {
    const { calls, handed, kernels } = recording();
    tf.tidy(() => {
      const a = tf.tensor(values(35, 1), [5, 7]);
      const b = tf.tensor(values(35, 2), [5, 7]);
      const c = tf.tensor(values(35, 3), [5, 7]);
      const cases: [string, tf.NamedTensorMap | tf.Tensor[], string, number[]][] = [
        [tf.Add, { a, b }, 'native', read(tf.add(a, b))],
        [tf.AddN, [a, b, c], 'native', read(tf.addN([a, b, c]))],
        [RELU_GRAD, { dy: a, x: b }, 'native', read(tf.mul(a, tf.step(b)))],
        [tf.Add, { a, b: tf.tensor1d(values(7, 4)) }, 'broadcast', read(tf.add(a, tf.tensor1d(values(7, 4))))],
        [tf.Add, { a, b: tf.scalar(0.5) }, 'scalar', read(tf.add(a, 0.5))],
        [tf.Add, { a: tf.tensor([1, 2, 3], [3], 'int32'), b: tf.tensor([4, 5, 6], [3], 'int32') }, 'int32', [5, 7, 9]],
        [tf.Add, { a: tf.zeros([0, 3]), b: tf.zeros([0, 3]) }, 'empty', []],
        [tf.AddN, [a], 'one input', read(a)],
        [tf.AddN, [tf.tensor([1, 2], [2], 'int32'), tf.tensor([3, 4], [2], 'int32')], 'int32', [4, 6]],
      ];
      for (const [name, inputs, kind, expected] of cases) {
        calls.length = 0;
        handed.length = 0;
        expect(runKernel(kernels, name, inputs), `${name} ${kind}`).toEqual(expected);
        if (kind === 'native') {
          expect(calls.length, `${name} ${kind}`).toBeGreaterThan(0);
          expect(handed, `${name} ${kind}`).toEqual([]);
        } else {
          expect(calls, `${name} ${kind}`).toEqual([]);
          expect(handed, `${name} ${kind}`).toEqual([name]);
        }
      }
    });
  });

  it('give the same values as cpu through the public ops in the fallback cases (broadcast, scalar, int32)', async () => {
    const run = () =>
      tf.tidy(() => {
        const a = tf.tensor(values(35, 1), [5, 7]);
        return [
          read(tf.add(a, tf.tensor1d(values(7, 2)))),
          read(tf.add(tf.tensor(values(5, 3), [5, 1]), a)),
          read(tf.add(a, 3)),
          read(tf.add(tf.tensor([1, 2, 3], [3], 'int32'), tf.tensor([4, 5, 6], [3], 'int32'))),
          read(tf.addN([tf.tensor([1, 2], [2], 'int32'), tf.tensor([3, 4], [2], 'int32')])),
          read(tf.grad((x: tf.Tensor) => tf.sum(tf.relu(tf.add(x, tf.tensor1d(values(7, 4))))))(a)),
        ];
      });
    expect(run()).toEqual(await onCpu(run));
  });

  it('the ReLU gradient is tfjs-core own on cpu and while the native kernels are off', async () => {
    const step = () =>
      tf.tidy(() => {
        tf.grad((a: tf.Tensor) => tf.sum(tf.relu(a)))(tf.tensor1d(values(9, 1))).dataSync();
      });
    expect((await onCpu(() => tf.profile(step))).kernelNames).toContain('Step');
    disableNativeKernels();
    try {
      const profile = await tf.profile(step);
      expect(profile.kernelNames).toContain('Step');
      expect(profile.kernelNames).not.toContain(RELU_GRAD);
      expect(tf.getKernel(RELU_GRAD, 'wasm')).toBeUndefined();
    } finally {
      enableNativeKernels();
    }
    expect((await tf.profile(step)).kernelNames).toContain(RELU_GRAD);
  });

  it('leak no tensors and no memory over 1,000 calls', () => {
    const shape = [2, 16, 16, 16];
    const [xs, ws] = [values(tf.util.sizeFromShape(shape), 1), values(tf.util.sizeFromShape(shape), 2)];
    const step = () =>
      tf.tidy(() => {
        const x = tf.tensor(xs, shape);
        const w = tf.tensor(ws, shape);
        const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.add(tf.relu(a), a)), w)))(x);
        return [dx.dataSync()[0], tf.addN([x, w, dx]).dataSync()[0]];
      });
    expectNoMemoryGrowth(step);
  });
});
