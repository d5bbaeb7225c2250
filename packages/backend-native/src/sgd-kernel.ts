import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from './native-addon.js';
import { heapOffset, type WasmHeapBackend } from './wasm-heap.js';

/**
 * One fused SGD step for one parameter (inputs `param`, `grad`, `velocity`: float32, one shape; attrs
 * {@link SgdUpdateAttrs}; outputs `[param, velocity]`, new tensors to assign). PyTorch semantics with dampening 0,
 * as omniprune's `createSgd`: `g' = g + weightDecay * p` (when weightDecay > 0), `v = momentum * v + g'`,
 * `p -= learningRate * (nesterov ? g' + momentum * v : v)`. One kernel instead of the 6-8 `Mul`/`Add`/`Sub` ones (and
 * their scalar uploads) per parameter. Registered on wasm only while the native kernels are on: a caller checks
 * `tf.getKernel(SGD_UPDATE, tf.getBackend())` and otherwise runs the tfjs ops.
 * @example
 * const [p, v] = tf.engine().runKernel(SGD_UPDATE, { param, grad, velocity },
 *   { learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4 }) as tf.Tensor[];
 */
export const SGD_UPDATE = 'OmnipruneSgdUpdate'; // core's createSgd calls it by this name (SGD_UPDATE_KERNEL)

/** Hyper-parameters of one {@link SGD_UPDATE} step. */
export interface SgdUpdateAttrs {
  learningRate: number;
  /** `mu` (0: the velocity output is `g'` and the step `learningRate * g'`). */
  momentum: number;
  nesterov: boolean;
  /** L2 coefficient; 0 for parameters that are not decayed. */
  weightDecay: number;
}

/** {@link SGD_UPDATE} for the wasm backend, on the addon in place on the wasm heap. */
export function sgdUpdateKernel(addon: NativeAddon): Record<string, tf.KernelFunc> {
  return {
    [SGD_UPDATE]: ({ inputs, attrs, backend }) => {
      const { param, grad, velocity } = inputs as unknown as Record<string, tf.TensorInfo | undefined>;
      const tensors = [param, grad, velocity];
      const count = param ? tf.util.sizeFromShape(param.shape) : 0;
      if (count === 0 || !tensors.every((t) => t && t.dtype === 'float32' && tf.util.arraysEqual(t.shape, param!.shape))) {
        throw new Error(`${SGD_UPDATE}: param, grad and velocity must be non-empty float32 tensors of one shape`);
      }
      const { learningRate, momentum, nesterov, weightDecay } = attrs as unknown as SgdUpdateAttrs;
      const b = backend as WasmHeapBackend;
      const paramOut = b.makeOutput([...param!.shape], 'float32');
      const velocityOut = b.makeOutput([...param!.shape], 'float32');
      const at = (t: tf.TensorInfo | undefined) => heapOffset(b, t!);
      addon.sgdUpdate(b.wasm.HEAPU8, at(param), at(grad), at(velocity), at(paramOut), at(velocityOut), count, learningRate, momentum, weightDecay, nesterov);
      return [paramOut, velocityOut];
    },
  };
}
