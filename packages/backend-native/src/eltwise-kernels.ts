import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from './native-addon.js';
import { delegate, heapOffset, type Fallback, type WasmHeapBackend } from './wasm-heap.js';

/** The ReLU gradient `dy * step(x)` (inputs dy, x; float32, same shape): one kernel instead of tfjs-core's Step, Cast, Multiply. */
export const RELU_GRAD = 'OmnipruneReluGrad';

/** Float32 tensors of one shape with at least one element: the case the native elementwise kernels take. */
function sameShapeFloat32(tensors: readonly tf.TensorInfo[]): boolean {
  const [first] = tensors;
  return (
    first !== undefined && tf.util.sizeFromShape(first.shape) > 0 && tensors.every((t) => t.dtype === 'float32' && tf.util.arraysEqual(t.shape, first.shape))
  );
}

/**
 * {@link RELU_GRAD}, `Add` (two float32 tensors of one shape: residual adds, gradient accumulation) and `AddN` (two
 * or more of them) for the wasm backend, on the addon in place on the wasm heap. Other cases (broadcasts, int32,
 * empty tensors, a single `AddN` input) go to the wasm kernels they replace (`fallback`).
 */
export function nativeEltwiseKernels(addon: NativeAddon, fallback: Fallback): Record<string, tf.KernelFunc> {
  return {
    [RELU_GRAD]: ({ inputs, backend }) => {
      const { dy, x } = inputs as unknown as Record<string, tf.TensorInfo>;
      if (!sameShapeFloat32([dy, x])) throw new Error(`${RELU_GRAD}: dy and x must be float32 tensors of one shape`);
      const b = backend as WasmHeapBackend;
      const dx = b.makeOutput([...x.shape], 'float32');
      addon.reluGrad(b.wasm.HEAPU8, heapOffset(b, dy), heapOffset(b, x), heapOffset(b, dx), tf.util.sizeFromShape(x.shape));
      return dx;
    },
    [tf.Add]: (args) => {
      const { a, b } = args.inputs as unknown as Record<string, tf.TensorInfo>;
      if (!sameShapeFloat32([a, b])) return delegate(tf.Add, fallback, args);
      const backend = args.backend as WasmHeapBackend;
      const out = backend.makeOutput([...a.shape], 'float32');
      const at = (t: tf.TensorInfo) => heapOffset(backend, t);
      addon.add(backend.wasm.HEAPU8, at(a), at(b), at(out), tf.util.sizeFromShape(a.shape));
      return out;
    },
    [tf.AddN]: (args) => {
      const tensors = Object.values(args.inputs) as tf.TensorInfo[];
      if (tensors.length < 2 || !sameShapeFloat32(tensors)) return delegate(tf.AddN, fallback, args);
      const backend = args.backend as WasmHeapBackend;
      const out = backend.makeOutput([...tensors[0].shape], 'float32');
      const at = (t: tf.TensorInfo) => heapOffset(backend, t);
      const count = tf.util.sizeFromShape(out.shape);
      // Summed left to right into the output, as the wasm and cpu kernels do.
      addon.add(backend.wasm.HEAPU8, at(tensors[0]), at(tensors[1]), at(out), count);
      for (const t of tensors.slice(2)) addon.add(backend.wasm.HEAPU8, at(out), at(t), at(out), count);
      return out;
    },
  };
}

/** Gradient of {@link RELU_GRAD} (second-order gradients through a ReLU): `step(x) * dz` for dy, zeros for x. */
export const reluGradGradient: tf.GradConfig = {
  kernelName: RELU_GRAD,
  inputsToSave: ['x'],
  gradFunc: (dzs, saved) => {
    const [x] = saved;
    const dz = Array.isArray(dzs) ? dzs[0] : dzs;
    return { dy: () => tf.engine().runKernel(RELU_GRAD, { dy: dz, x }) as tf.Tensor, x: () => tf.zerosLike(x) };
  },
};

/**
 * Gradient of `Relu` through {@link RELU_GRAD} while `active()` (the native kernels are on), the wasm backend runs
 * and dy and x are float32; otherwise tfjs-core's own `dy * cast(step(x), 'float32')`. Gradients are registered
 * for every backend, hence the check at each call.
 */
export function reluGradient(active: () => boolean): tf.GradConfig {
  return {
    kernelName: tf.Relu,
    inputsToSave: ['x'],
    gradFunc: (dys, saved) => {
      const [x] = saved;
      const dy = Array.isArray(dys) ? dys[0] : dys;
      if (active() && tf.getBackend() === 'wasm' && sameShapeFloat32([dy, x])) {
        return { x: () => tf.engine().runKernel(RELU_GRAD, { dy, x }) as tf.Tensor };
      }
      return { x: () => tf.mul(dy, tf.cast(tf.step(x), 'float32')) };
    },
  };
}
