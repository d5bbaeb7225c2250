import * as tf from '@tensorflow/tfjs-core';
import { convGeometry } from './conv-geometry.js';
import { asTensor, toChannelsLast } from './kernel-tensors.js';

/**
 * Filter gradient of a 2-D convolution as one forward convolution (so it runs on the backend's fast conv):
 * `dW[kh, kw, ci, co] = sum_{n, oh, ow} x[n, oh*s + kh - padTop, ow*s + kw - padLeft, ci] * dy[n, oh, ow, co]`
 * is the convolution of `x` transposed to `[ci, h, w, n]` (channels as batch, batch as channels) with `dy`
 * transposed to `[oh, ow, n, co]` as the filter, stride 1 and dilation = the forward stride. The result is
 * `[ci, kh', kw', co]`; it is cropped to the filter size when unused trailing input rows/columns make it larger.
 */
export function conv2dBackpropFilterImpl(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly number[],
  strides: number | [number, number],
  pad: tf.backend_util.ExplicitPadding | 'valid' | 'same' | number,
  dataFormat: 'NHWC' | 'NCHW',
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D {
  return tf.tidy(() => {
    const g = convGeometry(x.shape, filterShape, strides, pad, dimRoundingMode, dataFormat, false);
    const xt = tf.transpose(toChannelsLast(x, dataFormat), [3, 1, 2, 0]);
    const dyt = tf.transpose(toChannelsLast(dy, dataFormat), [1, 2, 0, 3]);
    // Rows kh + oh*s - padTop for kh < filterHeight, oh < outHeight must exist (zero padding past the input).
    const padBottom = g.filterHeight - 1 + (g.outHeight - 1) * g.strideHeight - g.padTop - (g.inHeight - 1);
    const padRight = g.filterWidth - 1 + (g.outWidth - 1) * g.strideWidth - g.padLeft - (g.inWidth - 1);
    const explicit: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [g.padTop, Math.max(0, padBottom)],
      [g.padLeft, Math.max(0, padRight)],
      [0, 0],
    ];
    let out = tf.conv2d(xt, dyt, 1, explicit, 'NHWC', [g.strideHeight, g.strideWidth]);
    if (out.shape[1] !== g.filterHeight || out.shape[2] !== g.filterWidth) {
      out = tf.slice(out, [0, 0, 0, 0], [g.inChannels, g.filterHeight, g.filterWidth, g.outChannels]);
    }
    return tf.transpose(out, [1, 2, 0, 3]);
  });
}

/** `Conv2DBackpropFilter` kernel (inputs `x`, `dy`) built on {@link conv2dBackpropFilterImpl}. */
export const conv2dBackpropFilterKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  return tf.tidy(() =>
    conv2dBackpropFilterImpl(
      asTensor<tf.Tensor4D>(inputs.x, 'x'),
      asTensor<tf.Tensor4D>(inputs.dy, 'dy'),
      filterShape,
      strides,
      pad,
      dataFormat,
      dimRoundingMode,
    ),
  );
};
