import * as tf from '@tensorflow/tfjs-core';
import { batchNormKernels, batchNormTrainGradient, patchBatchNormalization } from './batch-norm-kernels.js';
import { nativeConvKernels } from './conv-kernels.js';
import { nativeEltwiseKernels, reluGradGradient, reluGradient } from './eltwise-kernels.js';
import { nativeInferenceKernels } from './inference-kernels.js';
import { loadNativeAddon } from './native-addon.js';
import { sgdUpdateKernel } from './sgd-kernel.js';

/** The wasm kernels the native ones replaced while enabled, by kernel name. */
const replaced = new Map<string, tf.KernelConfig | undefined>();
/** The native kernel functions, made once (the same functions are registered again after a disable). */
let funcs: Record<string, tf.KernelFunc> | undefined;
/** The ReLU gradient through the native kernel (registered for all backends; tfjs-core's formula when off). */
let reluGrad: tf.GradConfig | undefined;
let enabled = false;

/**
 * Run the wasm backend's convolutions (forward, fused bias/ReLU forward, both gradients), the training-mode batch
 * normalisation of tfjs-layers' `BatchNormalization` (forward and backward), inference batch norm, ReLU and its
 * gradient and same-shape float32 `Add`/`AddN` on the addon, in place on the wasm heap, and register a fused SGD
 * update kernel (`OmnipruneSgdUpdate`) for a trainer to call. Call after the wasm backend is registered and
 * tfjs-core's gradients are (omniprune's `initBackend('native')` does): the ReLU gradient is registered over
 * tfjs-core's on every call (a later tfjs-layers or `register_all_gradients` import puts the built-in one back until
 * the next call). Idempotent. Returns one line describing the kernels (`oneDNN 2.6.3, 2 threads`); throws with the
 * reason when the addon is unavailable.
 * @example
 * enableNativeKernels({ threads: 2 }); // 'oneDNN 2.6.3, 2 threads'
 */
export function enableNativeKernels(options: { threads?: number } = {}): string {
  const addon = loadNativeAddon();
  if (addon instanceof Error) throw addon;
  if (options.threads) addon.setThreads(options.threads);
  if (!funcs) {
    const fallback = (name: string) => replaced.get(name)?.kernelFunc;
    funcs = {
      ...nativeConvKernels(addon, fallback),
      ...nativeInferenceKernels(addon, fallback),
      ...batchNormKernels(addon),
      ...nativeEltwiseKernels(addon, fallback),
      ...sgdUpdateKernel(addon),
    };
    tf.registerGradient(batchNormTrainGradient);
    reluGrad = reluGradient(() => enabled);
    tf.registerGradient(reluGradGradient);
    patchBatchNormalization(() => enabled);
  }
  // Again on every call: importing tfjs-layers or tfjs-core's register_all_gradients puts the built-in one back.
  if (reluGrad && tf.getGradient(tf.Relu) !== reluGrad) tf.registerGradient(reluGrad);
  if (!enabled) {
    for (const [kernelName, kernelFunc] of Object.entries(funcs)) {
      const existing = tf.getKernel(kernelName, 'wasm');
      replaced.set(kernelName, existing);
      if (existing) tf.unregisterKernel(kernelName, 'wasm');
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc, setupFunc: existing?.setupFunc, disposeFunc: existing?.disposeFunc });
    }
    enabled = true;
  }
  return addon.info();
}

/**
 * Put back the wasm kernels {@link enableNativeKernels} replaced (so `wasm` and `native` can be compared in one
 * process). Idempotent.
 * @example
 * disableNativeKernels();
 */
export function disableNativeKernels(): void {
  if (!enabled || !funcs) return;
  for (const [kernelName, kernelFunc] of Object.entries(funcs)) {
    if (tf.getKernel(kernelName, 'wasm')?.kernelFunc === kernelFunc) tf.unregisterKernel(kernelName, 'wasm');
    const previous = replaced.get(kernelName);
    if (previous && !tf.getKernel(kernelName, 'wasm')) tf.registerKernel(previous);
  }
  replaced.clear();
  enabled = false;
}

/** Whether the native kernels are registered now. */
export function nativeKernelsEnabled(): boolean {
  return enabled;
}
