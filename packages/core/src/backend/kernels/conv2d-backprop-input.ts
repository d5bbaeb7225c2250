import * as tf from '@tensorflow/tfjs-core';
import { type AxisPhase, convGeometry, cropForPadding, interleavePhases, planAxis } from './conv-geometry.js';
import { asTensor, fromChannelsLast, toChannelsLast } from './kernel-tensors.js';

/**
 * Input gradient of a 2-D convolution (a transposed convolution) as forward stride-1 convolutions.
 *
 * With stride 1 it is one correlation of the padded `dy` with the spatially flipped filter whose in/out channels
 * are swapped. With stride `s` it is the same correlation of the zero-stuffed `dy`, computed without the zeros:
 * each of the `sh * sw` output phases only meets the taps `k == phase (mod s)`, so it is a small convolution of
 * `dy` with that sub-filter; the phases are then interleaved and cropped to the input size. Same FLOPs as the
 * forward convolution, at any stride.
 */
export function conv2dBackpropInputImpl(
  inputShape: readonly number[],
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number | [number, number],
  pad: tf.backend_util.ExplicitPadding | 'valid' | 'same' | number,
  dataFormat: 'NHWC' | 'NCHW',
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  return tf.tidy(() => {
    const g = convGeometry(inputShape, filter.shape, strides, pad, dimRoundingMode, dataFormat, false);
    const dyNhwc = toChannelsLast(dy, dataFormat);
    const swapped = tf.transpose(filter, [0, 1, 3, 2]);
    const rows = planAxis(g.filterHeight, g.strideHeight, g.padTop, g.inHeight, g.outHeight);
    const cols = planAxis(g.filterWidth, g.strideWidth, g.padLeft, g.inWidth, g.outWidth);
    const parts = rows.phases.map((rowPhase) =>
      cols.phases.map((colPhase) => {
        if (rowPhase.taps.length === 0 || colPhase.taps.length === 0) {
          return tf.zeros([g.batch, rows.perPhase, cols.perPhase, g.inChannels]) as tf.Tensor4D;
        }
        return phaseCorrelation(dyNhwc, swapped, rowPhase, colPhase);
      }),
    );
    let dx = interleavePhases(parts);
    if (rows.cropStart !== 0 || cols.cropStart !== 0 || dx.shape[1] !== g.inHeight || dx.shape[2] !== g.inWidth) {
      dx = tf.slice(dx, [0, rows.cropStart, cols.cropStart, 0], [g.batch, g.inHeight, g.inWidth, g.inChannels]);
    }
    return fromChannelsLast(dx, dataFormat);
  });
}

/** A stride-1 correlation of an NHWC input with an HWIO-style filter (regular or depthwise). */
export type StrideOneCorrelation = (input: tf.Tensor4D, filter: tf.Tensor4D, pad: Parameters<typeof tf.conv2d>[3]) => tf.Tensor4D;

const denseCorrelation: StrideOneCorrelation = (input, filter, pad) => tf.conv2d(input, filter, 1, pad, 'NHWC');

/**
 * Correlate `dy` with the sub-filter of `filter` (`[kh, kw, ., .]`) picked by one row phase and one column phase,
 * using `correlate` (a dense conv by default; depthwise backprop passes a depthwise one).
 */
export function phaseCorrelation(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  rowPhase: AxisPhase,
  colPhase: AxisPhase,
  correlate: StrideOneCorrelation = denseCorrelation,
): tf.Tensor4D {
  const [kh, kw] = filter.shape;
  const sub = pickTaps(filter, rowPhase.taps, colPhase.taps, kh, kw);
  const rows: [number, number] = [rowPhase.padBefore, rowPhase.padAfter];
  const { input, pad } = cropForPadding(dy, rows, [colPhase.padBefore, colPhase.padAfter]);
  return correlate(input, sub, pad);
}

/** `filter[rowTaps][colTaps]` (in that order); the filter itself when the taps are the identity. */
export function pickTaps(filter: tf.Tensor4D, rowTaps: number[], colTaps: number[], kh: number, kw: number): tf.Tensor4D {
  let sub = filter;
  if (!isIdentity(rowTaps, kh)) sub = tf.gather(sub, tf.tensor1d(rowTaps, 'int32'), 0);
  if (!isIdentity(colTaps, kw)) sub = tf.gather(sub, tf.tensor1d(colTaps, 'int32'), 1);
  return sub;
}

function isIdentity(taps: number[], size: number): boolean {
  return taps.length === size && taps.every((t, i) => t === i);
}

/** `Conv2DBackpropInput` kernel (inputs `dy`, `filter`) built on {@link conv2dBackpropInputImpl}. */
export const conv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  return tf.tidy(() => {
    const dy = asTensor<tf.Tensor4D>(inputs.dy, 'dy');
    const filter = asTensor<tf.Tensor4D>(inputs.filter, 'filter');
    return conv2dBackpropInputImpl(inputShape, dy, filter, strides, pad, dataFormat, dimRoundingMode);
  });
};
