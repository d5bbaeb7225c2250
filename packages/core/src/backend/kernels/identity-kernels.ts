import type * as tf from '@tensorflow/tfjs-core';
import type { WrappingKernelFactory } from './broadcast-kernels.js';

/** The part of the wasm backend these kernels use: shared, reference-counted data ids (as `Reshape` does). */
interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

function share(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  (backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * `Identity` (`tf.clone`, and every tensor a custom gradient saves) sharing the input's data, as the cpu backend
 * does; the built-in wasm kernel copies it. TF.js never writes into a tensor's data, so sharing is safe.
 */
export const createIdentityKernel: WrappingKernelFactory = (builtIn) => (args) => {
  const x = args.inputs.x;
  if (x && x.dtype !== 'string') return share(x, args.backend);
  if (!builtIn) throw new Error('wasm backend has no built-in Identity kernel');
  return builtIn.kernelFunc(args);
};

/** `Cast` to the input's own dtype (tfjs-layers does it on every activation) without a copy. */
export const createCastKernel: WrappingKernelFactory = (builtIn) => (args) => {
  const x = args.inputs.x;
  const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
  if (x && x.dtype === dtype && dtype !== 'string') return share(x, args.backend);
  if (!builtIn) throw new Error('wasm backend has no built-in Cast kernel');
  return builtIn.kernelFunc(args);
};
