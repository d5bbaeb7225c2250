import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from './native-addon.js';
import { delegate, heapOffset, type Fallback, type WasmHeapBackend } from './wasm-heap.js';

/**
 * `FusedBatchNorm` (the inference batch norm: given statistics, channels last, float32, every parameter a vector over
 * the channels) and `Relu` (float32) for the wasm backend, on the addon in place on the wasm heap. Other cases go to
 * the kernels they replace (`fallback`). On wasm these two cost more than the convolutions of a ResNet forward pass.
 */
export function nativeInferenceKernels(addon: NativeAddon, fallback: Fallback): Record<string, tf.KernelFunc> {
  return {
    [tf.FusedBatchNorm]: (args) => {
      const { x, mean, variance, offset, scale } = args.inputs as unknown as Record<string, tf.TensorInfo | undefined>;
      const channels = x!.shape[x!.shape.length - 1];
      const vectors = [mean, variance, offset, scale];
      const native = x!.dtype === 'float32' && channels > 0 && vectors.every((v) => v && v.dtype === 'float32' && tf.util.sizeFromShape(v.shape) === channels);
      if (!native) return delegate(tf.FusedBatchNorm, fallback, args);
      const backend = args.backend as WasmHeapBackend;
      const y = backend.makeOutput([...x!.shape], 'float32');
      const at = (t: tf.TensorInfo | undefined) => heapOffset(backend, t!);
      const shape = Int32Array.of(tf.util.sizeFromShape(x!.shape) / channels, channels);
      const epsilon = (args.attrs as unknown as tf.FusedBatchNormAttrs).varianceEpsilon;
      addon.batchNormInfer(backend.wasm.HEAPU8, shape, epsilon, at(x), at(mean), at(variance), at(scale), at(offset), at(y));
      return y;
    },
    [tf.Relu]: (args) => {
      const { x } = args.inputs as unknown as Record<string, tf.TensorInfo>;
      const count = tf.util.sizeFromShape(x.shape);
      if (x.dtype !== 'float32' || count === 0) return delegate(tf.Relu, fallback, args);
      const backend = args.backend as WasmHeapBackend;
      const y = backend.makeOutput([...x.shape], 'float32');
      addon.relu(backend.wasm.HEAPU8, heapOffset(backend, x), heapOffset(backend, y), count);
      return y;
    },
  };
}
