import type * as tf from '@tensorflow/tfjs-core';

/** The kernel a native one replaced, by kernel name (for the cases the addon does not take). */
export type Fallback = (kernelName: string) => tf.KernelFunc | undefined;

/** What the native kernels need of the TF.js wasm backend: its heap and where each tensor lives in it. */
export interface WasmHeapBackend extends tf.KernelBackend {
  readonly wasm: { readonly HEAPU8: Uint8Array };
  readonly dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** Byte offset of a tensor's data in the wasm heap. Read the heap (`wasm.HEAPU8`) after the last `makeOutput`. */
export function heapOffset(backend: WasmHeapBackend, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('tensor is not on the wasm backend');
  return data.memoryOffset;
}

/** Run the kernel `name` replaced on `args` (a case the addon does not take). */
export function delegate(name: string, fallback: Fallback, args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | tf.TensorInfo[] {
  const f = fallback(name);
  if (!f) throw new Error(`${name}: no wasm kernel to hand this case to`);
  return f(args);
}
