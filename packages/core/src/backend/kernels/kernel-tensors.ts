import * as tf from '@tensorflow/tfjs-core';

/**
 * View a kernel input as a `tf.Tensor` so a kernel can be written with tf ops. Inputs of `runKernel` are tensors
 * already; a bare `TensorInfo` gets a wrapper sharing its data (disposed by the enclosing `tf.tidy`).
 */
export function asTensor<T extends tf.Tensor = tf.Tensor>(info: tf.TensorInfo | undefined, name = 'input'): T {
  if (info === undefined) throw new Error(`kernel input ${name} is missing`);
  return (info instanceof tf.Tensor ? info : tf.engine().makeTensorFromTensorInfo(info)) as T;
}

/** NCHW -> NHWC (identity for NHWC). */
export function toChannelsLast(x: tf.Tensor4D, dataFormat: 'NHWC' | 'NCHW' | undefined): tf.Tensor4D {
  return dataFormat === 'NCHW' ? tf.transpose(x, [0, 2, 3, 1]) : x;
}

/** NHWC -> NCHW (identity for NHWC). */
export function fromChannelsLast(x: tf.Tensor4D, dataFormat: 'NHWC' | 'NCHW' | undefined): tf.Tensor4D {
  return dataFormat === 'NCHW' ? tf.transpose(x, [0, 3, 1, 2]) : x;
}
