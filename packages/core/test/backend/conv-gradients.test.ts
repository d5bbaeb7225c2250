import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers the gradients of tfjs-core ops
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { isOmnipruneWasmKernel } from '../../src/backend/kernels/register-wasm-kernels.js';
import { expectCloseToScale, onCpuAndWasm, values } from './compare-backends.js';

type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;

/** [batch, height, width, inChannels, outChannels (or multiplier), kernel, stride, pad] */
type Case = [number, number, number, number, number, number, number | [number, number], Pad];

const CONV_CASES: Case[] = [
  [2, 7, 7, 3, 4, 3, 1, 'same'],
  [2, 7, 7, 3, 4, 3, 2, 'same'],
  [2, 7, 9, 3, 4, 3, 1, 'valid'],
  [2, 9, 7, 3, 4, 3, 2, 'valid'],
  [3, 8, 8, 5, 6, 3, 2, 'same'], // even size, stride 2: asymmetric 'same' padding
  [3, 8, 8, 5, 6, 3, 2, 'valid'], // last row/column unused: the filter gradient is cropped
  [2, 9, 6, 4, 8, 1, 2, 'same'], // 1x1 projection shortcut: 3 of 4 phases are zero
  [2, 9, 6, 4, 8, 1, 2, 'valid'],
  [2, 11, 9, 2, 3, 5, 2, 'same'],
  [2, 11, 9, 2, 3, 5, 3, 'valid'],
  [2, 6, 6, 2, 3, 2, 2, 'same'], // even kernel
  [2, 7, 7, 1, 16, 3, 1, 'same'], // one input channel (stem-like)
  [2, 9, 9, 16, 1, 3, 2, 'same'], // one output channel
  [2, 7, 8, 3, 2, 3, [2, 1], 'same'], // different strides per axis
  [
    2,
    5,
    7,
    3,
    2,
    3,
    1,
    [
      [0, 0],
      [2, 0],
      [1, 3],
      [0, 0],
    ],
  ], // explicit, asymmetric padding
  [
    2,
    5,
    7,
    3,
    2,
    3,
    2,
    [
      [0, 0],
      [3, 1],
      [0, 2],
      [0, 0],
    ],
  ], // explicit padding larger than kernel - 1
  [4, 16, 16, 16, 32, 3, 2, 'same'], // ResNet downsampling block
  [4, 8, 8, 32, 32, 3, 1, 'same'],
];

const label = (c: Case) =>
  `batch ${c[0]}, ${c[1]}x${c[2]}x${c[3]} -> ${c[4]}, ${c[5]}x${c[5]}, stride ${c[6]}, ` + `${typeof c[7] === 'string' ? c[7] : JSON.stringify(c[7])}`;

function outSize(inSize: number, kernel: number, stride: number, before: number, after: number): number {
  return Math.floor((inSize + before + after - kernel) / stride) + 1;
}

/** Output shape of a convolution of `c` (NHWC). */
function outShape(c: Case, outChannels: number): [number, number, number, number] {
  const [n, h, w, , , k, s, pad] = c;
  const [sh, sw] = typeof s === 'number' ? [s, s] : s;
  if (pad === 'same') return [n, Math.ceil(h / sh), Math.ceil(w / sw), outChannels];
  if (pad === 'valid') return [n, outSize(h, k, sh, 0, 0), outSize(w, k, sw, 0, 0), outChannels];
  return [n, outSize(h, k, sh, pad[1][0], pad[1][1]), outSize(w, k, sw, pad[2][0], pad[2][1]), outChannels];
}

beforeAll(async () => {
  await initBackend('wasm');
});

afterAll(async () => {
  await initBackend('cpu');
});

describe('wasm conv2d gradient kernels', () => {
  it('replace the built-in Conv2DBackpropInput and add Conv2DBackpropFilter', () => {
    expect(isOmnipruneWasmKernel('Conv2DBackpropInput')).toBe(true);
    expect(isOmnipruneWasmKernel('Conv2DBackpropFilter')).toBe(true);
  });

  it.each(CONV_CASES.map((c) => [label(c), c] as const))('Conv2DBackpropInput matches cpu: %s', async (_, c) => {
    const [, , , ci, co, k, strides, pad] = c;
    const inputShape: [number, number, number, number] = [c[0], c[1], c[2], ci];
    const dyShape = outShape(c, co);
    const { cpu, wasm } = await onCpuAndWasm(
      () =>
        tf.engine().runKernel(
          'Conv2DBackpropInput',
          {
            dy: tf.tensor4d(
              values(
                dyShape.reduce((a, b) => a * b),
                1,
              ),
              dyShape,
            ),
            filter: tf.tensor4d(values(k * k * ci * co, 2), [k, k, ci, co]),
          },
          { strides, pad, dataFormat: 'NHWC', inputShape } as unknown as tf.NamedAttrMap,
        ) as tf.Tensor,
    );
    expectCloseToScale(wasm[0], cpu[0], 1e-5);
  });

  it.each(CONV_CASES.map((c) => [label(c), c] as const))('Conv2DBackpropFilter matches cpu: %s', async (_, c) => {
    const [n, h, w, ci, co, k, strides, pad] = c;
    const dyShape = outShape(c, co);
    const { cpu, wasm } = await onCpuAndWasm(
      () =>
        tf.engine().runKernel(
          'Conv2DBackpropFilter',
          {
            x: tf.tensor4d(values(n * h * w * ci, 3), [n, h, w, ci]),
            dy: tf.tensor4d(
              values(
                dyShape.reduce((a, b) => a * b),
                4,
              ),
              dyShape,
            ),
          },
          { strides, pad, dataFormat: 'NHWC', filterShape: [k, k, ci, co] } as unknown as tf.NamedAttrMap,
        ) as tf.Tensor,
    );
    expectCloseToScale(wasm[0], cpu[0], 1e-5);
  });

  it.each(['same', 'valid'] as const)('support NCHW (%s)', async (pad) => {
    const { cpu, wasm } = await onCpuAndWasm(() => {
      const x = tf.tensor4d(values(2 * 3 * 9 * 7, 5), [2, 3, 9, 7]);
      const filter = tf.tensor4d(values(3 * 3 * 3 * 4, 6), [3, 3, 3, 4]);
      const dyShape: [number, number, number, number] = pad === 'same' ? [2, 4, 5, 4] : [2, 4, 4, 3];
      const dy = tf.tensor4d(
        values(
          dyShape.reduce((a, b) => a * b),
          7,
        ),
        dyShape,
      );
      const attrs = { strides: 2, pad, dataFormat: 'NCHW' };
      return [
        tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: x.shape }) as tf.Tensor,
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: filter.shape }) as tf.Tensor,
      ];
    });
    expectCloseToScale(wasm[0], cpu[0], 1e-5);
    expectCloseToScale(wasm[1], cpu[1], 1e-5);
  });

  it('give the gradients of tf.conv2d (tf.grads) within float tolerance', async () => {
    const { cpu, wasm } = await onCpuAndWasm(() => {
      const x = tf.tensor4d(values(3 * 15 * 13 * 6, 8), [3, 15, 13, 6]);
      const filter = tf.tensor4d(values(3 * 3 * 6 * 10, 9), [3, 3, 6, 10]);
      const weights = tf.tensor4d(values(3 * 8 * 7 * 10, 10), [3, 8, 7, 10]);
      const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), weights));
      return tf.grads(loss)([x, filter]);
    });
    expectCloseToScale(wasm[0], cpu[0], 1e-5);
    expectCloseToScale(wasm[1], cpu[1], 1e-5);
  });
});

const DEPTHWISE_CASES: Case[] = [
  [2, 7, 7, 3, 1, 3, 1, 'same'],
  [2, 7, 9, 3, 1, 3, 2, 'same'],
  [2, 8, 8, 4, 2, 3, 2, 'valid'],
  [3, 9, 7, 2, 3, 5, 2, 'same'],
  [2, 6, 6, 5, 1, 1, 2, 'valid'],
];

describe('wasm depthwise conv2d gradient kernels', () => {
  it.each(DEPTHWISE_CASES.map((c) => [label(c).replace('->', 'x'), c] as const))('match cpu: %s', async (_, c) => {
    const [n, h, w, channels, multiplier, k, strides, pad] = c;
    const dyShape = outShape(c, channels * multiplier);
    const { cpu, wasm } = await onCpuAndWasm(() => {
      const x = tf.tensor4d(values(n * h * w * channels, 11), [n, h, w, channels]);
      const filter = tf.tensor4d(values(k * k * channels * multiplier, 12), [k, k, channels, multiplier]);
      const dy = tf.tensor4d(
        values(
          dyShape.reduce((a, b) => a * b),
          13,
        ),
        dyShape,
      );
      const attrs = { strides, pad, dilations: 1 };
      return [
        tf
          .engine()
          .runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { ...attrs, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
        tf
          .engine()
          .runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: filter.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
      ];
    });
    expectCloseToScale(wasm[0], cpu[0], 1e-5);
    expectCloseToScale(wasm[1], cpu[1], 1e-5);
  });

  it('give the gradients of tf.depthwiseConv2d (tf.grads)', async () => {
    const { cpu, wasm } = await onCpuAndWasm(() => {
      const x = tf.tensor4d(values(2 * 9 * 9 * 4, 14), [2, 9, 9, 4]);
      const filter = tf.tensor4d(values(3 * 3 * 4 * 2, 15), [3, 3, 4, 2]);
      const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.sin(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')));
      return tf.grads(loss)([x, filter]);
    });
    expectCloseToScale(wasm[0], cpu[0], 1e-5);
    expectCloseToScale(wasm[1], cpu[1], 1e-5);
  });
});
