import * as tf from '@tensorflow/tfjs-core';
import { type ConvPad, convGeometry, interleavePhases, planAxis } from './conv-geometry.js';
import { phaseCorrelation, type StrideOneCorrelation } from './conv2d-backprop-input.js';
import { asTensor } from './kernel-tensors.js';

const depthwiseCorrelation: StrideOneCorrelation = (input, filter, pad) => tf.depthwiseConv2d(input, filter, 1, pad, 'NHWC');

type RoundingMode = 'floor' | 'round' | 'ceil' | undefined;

/**
 * Input gradient of a depthwise convolution (`x [n, h, w, c]`, `filter [kh, kw, c, m]`, `dy [n, oh, ow, c*m]`),
 * by the same polyphase decomposition as {@link conv2dBackpropInputImpl}, each phase a forward depthwise
 * convolution of `dy` (as `c*m` channels, multiplier 1) followed by a sum over the multiplier.
 */
export function depthwiseBackpropInputImpl(
  inputShape: readonly number[],
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number | [number, number],
  pad: ConvPad,
  dimRoundingMode: RoundingMode,
): tf.Tensor4D {
  return tf.tidy(() => {
    const g = convGeometry(inputShape, filter.shape, strides, pad, dimRoundingMode, 'NHWC', true);
    const [kh, kw, c, m] = filter.shape;
    const flat = tf.reshape(filter, [kh, kw, c * m, 1]) as tf.Tensor4D;
    const rows = planAxis(g.filterHeight, g.strideHeight, g.padTop, g.inHeight, g.outHeight);
    const cols = planAxis(g.filterWidth, g.strideWidth, g.padLeft, g.inWidth, g.outWidth);
    const parts = rows.phases.map((rowPhase) =>
      cols.phases.map((colPhase) => {
        if (rowPhase.taps.length === 0 || colPhase.taps.length === 0) {
          return tf.zeros([g.batch, rows.perPhase, cols.perPhase, c]) as tf.Tensor4D;
        }
        const out = phaseCorrelation(dy, flat, rowPhase, colPhase, depthwiseCorrelation);
        if (m === 1) return out;
        const [n, qh, qw] = out.shape;
        return tf.sum(tf.reshape(out, [n, qh, qw, c, m]), 4) as tf.Tensor4D;
      }),
    );
    let dx = interleavePhases(parts);
    if (rows.cropStart !== 0 || cols.cropStart !== 0 || dx.shape[1] !== g.inHeight || dx.shape[2] !== g.inWidth) {
      dx = tf.slice(dx, [0, rows.cropStart, cols.cropStart, 0], [g.batch, g.inHeight, g.inWidth, c]);
    }
    return dx;
  });
}

/**
 * Filter gradient of a depthwise convolution: for each tap `(kh, kw)`, the strided window of the (zero padded)
 * input that the tap sees, times `dy`, summed over batch and positions. `kh * kw` elementwise passes; depthwise
 * convolutions are memory-bound anyway.
 */
export function depthwiseBackpropFilterImpl(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly number[],
  strides: number | [number, number],
  pad: ConvPad,
  dimRoundingMode: RoundingMode,
): tf.Tensor4D {
  return tf.tidy(() => {
    const g = convGeometry(x.shape, filterShape, strides, pad, dimRoundingMode, 'NHWC', true);
    const [kh, kw, c, m] = filterShape;
    const spanH = (g.outHeight - 1) * g.strideHeight + 1;
    const spanW = (g.outWidth - 1) * g.strideWidth + 1;
    const padBottom = Math.max(0, kh - 1 + spanH - g.padTop - g.inHeight);
    const padRight = Math.max(0, kw - 1 + spanW - g.padLeft - g.inWidth);
    const padded = tf.pad(x, [
      [0, 0],
      [g.padTop, padBottom],
      [g.padLeft, padRight],
      [0, 0],
    ]);
    const dyByMultiplier = tf.reshape(dy, [g.batch, g.outHeight, g.outWidth, c, m]);
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const window = tf.stridedSlice(padded, [0, i, j, 0], [g.batch, i + spanH, j + spanW, c], [1, g.strideHeight, g.strideWidth, 1]) as tf.Tensor4D;
        const product = m === 1 ? tf.mul(window, dy) : tf.mul(tf.expandDims(window, 4), dyByMultiplier);
        taps.push(tf.sum(product, [0, 1, 2]));
      }
    }
    return tf.reshape(tf.stack(taps), [kh, kw, c, m]) as tf.Tensor4D;
  });
}

function assertUnitDilations(kernel: string, dilations: number | [number, number] | undefined): void {
  const [dh, dw] = typeof dilations === 'number' ? [dilations, dilations] : (dilations ?? [1, 1]);
  if (dh !== 1 || dw !== 1) throw new Error(`${kernel}: dilations [${dh}, ${dw}] are not supported, only 1`);
}

/** `DepthwiseConv2dNativeBackpropInput` kernel (inputs `dy`, `filter`). */
export const depthwiseBackpropInputKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  assertUnitDilations('DepthwiseConv2dNativeBackpropInput', dilations);
  return tf.tidy(() => {
    const dy = asTensor<tf.Tensor4D>(inputs.dy, 'dy');
    const filter = asTensor<tf.Tensor4D>(inputs.filter, 'filter');
    return depthwiseBackpropInputImpl(inputShape, dy, filter, strides, pad, dimRoundingMode);
  });
};

/** `DepthwiseConv2dNativeBackpropFilter` kernel (inputs `x`, `dy`). */
export const depthwiseBackpropFilterKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  assertUnitDilations('DepthwiseConv2dNativeBackpropFilter', dilations);
  return tf.tidy(() => {
    const x = asTensor<tf.Tensor4D>(inputs.x, 'x');
    const dy = asTensor<tf.Tensor4D>(inputs.dy, 'dy');
    return depthwiseBackpropFilterImpl(x, dy, filterShape, strides, pad, dimRoundingMode);
  });
};
