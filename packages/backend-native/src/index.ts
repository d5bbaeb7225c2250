export { enableNativeKernels, disableNativeKernels, nativeKernelsEnabled } from './native-kernels.js';
export { loadNativeAddon, ADDON_PATH } from './native-addon.js';
export type { NativeAddon } from './native-addon.js';
export { nativeConvKernels, convDims } from './conv-kernels.js';
export { nativeInferenceKernels } from './inference-kernels.js';
export { BATCH_NORM_TRAIN, BATCH_NORM_GRAD, batchNormKernels, batchNormTrainGradient, patchBatchNormalization } from './batch-norm-kernels.js';
export { delegate, heapOffset } from './wasm-heap.js';
export type { Fallback, WasmHeapBackend } from './wasm-heap.js';
