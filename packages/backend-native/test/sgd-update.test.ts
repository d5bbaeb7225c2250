import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { disableNativeKernels, enableNativeKernels, SGD_UPDATE, type SgdUpdateAttrs } from '../src/index.js';
import { expectNoMemoryGrowth } from './memory-growth.js';
import { useNativeAddon } from './native-suite.js';

// Skipped with the reason where the addon is not built; fails instead under OMNIPRUNE_REQUIRE_NATIVE (CI).
useNativeAddon(async () => {
  await tf.setBackend('wasm');
  enableNativeKernels({ threads: 2 });
});

/** Values in [-scale, scale) from a fixed LCG (failures reproduce). */
function values(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 * scale - scale;
  });
}

const STEPS = 5;

/**
 * `STEPS` updates of one parameter from a zero velocity, with a new gradient each step: through {@link SGD_UPDATE}
 * when `fused`, else with the tfjs ops of omniprune's `createSgd` (packages/core/src/train/sgd.ts). Final [p, v].
 */
function train(shape: number[], attrs: SgdUpdateAttrs, fused: boolean): Float32Array[] {
  return tf.tidy(() => {
    const size = tf.util.sizeFromShape(shape);
    const { learningRate: lr, momentum: mu, nesterov, weightDecay } = attrs;
    let p = tf.tensor(values(size, 1), shape);
    let v = tf.zeros(shape);
    for (let step = 0; step < STEPS; step++) {
      const g = tf.tensor(values(size, 10 + step, 0.5), shape);
      if (fused) {
        [p, v] = tf.engine().runKernel(SGD_UPDATE, { param: p, grad: g, velocity: v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      } else {
        let gd: tf.Tensor = g;
        if (weightDecay > 0) gd = tf.add(gd, tf.mul(p, weightDecay));
        let direction = gd;
        if (mu > 0) {
          v = tf.add(tf.mul(v, mu), gd);
          direction = nesterov ? tf.add(gd, tf.mul(v, mu)) : v;
        }
        p = tf.sub(p, tf.mul(direction, lr));
      }
    }
    return [p, v].map((t) => t.dataSync() as Float32Array);
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

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  expect(worst).toBeLessThan(1e-6);
}

const CASES: [number[], SgdUpdateAttrs][] = [
  [[3, 3, 16, 16], { learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4 }],
  [[3, 3, 16, 16], { learningRate: 0.1, momentum: 0.9, nesterov: false, weightDecay: 5e-4 }],
  [[17], { learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0 }],
  [[7, 5, 3], { learningRate: 0.01, momentum: 0.5, nesterov: false, weightDecay: 0 }],
  [[1, 1, 64, 641], { learningRate: 0.2, momentum: 0.99, nesterov: true, weightDecay: 1e-4 }], // past 2^15: threaded
  [[1], { learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }],
];

describe('native fused SGD update', () => {
  it.each(CASES)('equals omniprune SGD (the tfjs ops of createSgd) on the cpu backend over 5 steps (%j, %j)', async (shape, attrs) => {
    const native = train(shape, attrs, true);
    const [p, v] = await onCpu(() => train(shape, attrs, false));
    expectClose(native[0], p);
    expectClose(native[1], v);
  });

  it('with momentum 0 takes plain SGD steps (param only)', async () => {
    const attrs = { learningRate: 0.1, momentum: 0, nesterov: true, weightDecay: 5e-4 };
    const native = train([5, 9], attrs, true);
    const [p] = await onCpu(() => train([5, 9], attrs, false));
    expectClose(native[0], p);
  });

  it('refuses inputs that are not float32 tensors of one shape, naming the kernel', () => {
    const attrs = { learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0 } as unknown as tf.NamedAttrMap;
    const run = (param: tf.Tensor, grad: tf.Tensor, velocity: tf.Tensor) => () =>
      tf.tidy(() => tf.engine().runKernel(SGD_UPDATE, { param, grad, velocity }, attrs));
    tf.tidy(() => {
      const p = tf.ones([3, 4]);
      expect(run(p, tf.ones([4, 3]), tf.zeros([3, 4]))).toThrow(/OmnipruneSgdUpdate: param, grad and velocity must be non-empty float32 tensors of one shape/);
      expect(run(p, tf.ones([3, 4], 'int32'), tf.zeros([3, 4]))).toThrow(/OmnipruneSgdUpdate/);
      expect(run(tf.ones([0, 4]), tf.ones([0, 4]), tf.zeros([0, 4]))).toThrow(/OmnipruneSgdUpdate/);
    });
  });

  it('is registered on wasm only while the native kernels are on', () => {
    expect(tf.getKernel(SGD_UPDATE, 'wasm')).toBeDefined();
    expect(tf.getKernel(SGD_UPDATE, 'cpu')).toBeUndefined();
    disableNativeKernels();
    try {
      expect(tf.getKernel(SGD_UPDATE, 'wasm')).toBeUndefined();
    } finally {
      enableNativeKernels();
    }
    expect(tf.getKernel(SGD_UPDATE, 'wasm')).toBeDefined();
  });

  it('leaks no tensors and no memory over 1,000 updates of variables', () => {
    const shape = [3, 3, 32, 32];
    const p = tf.variable(tf.tensor(values(tf.util.sizeFromShape(shape), 1), shape));
    const v = tf.variable(tf.zeros(shape));
    const g = tf.tensor(values(tf.util.sizeFromShape(shape), 2, 0.01), shape);
    const attrs = { learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4 } as unknown as tf.NamedAttrMap;
    const step = () =>
      tf.tidy(() => {
        const [np, nv] = tf.engine().runKernel(SGD_UPDATE, { param: p, grad: g, velocity: v }, attrs) as tf.Tensor[];
        p.assign(np);
        v.assign(nv);
      });
    try {
      expectNoMemoryGrowth(step);
      expect(Number.isFinite(p.dataSync()[0])).toBe(true);
    } finally {
      tf.dispose([p, v, g]);
    }
  });
});
