import * as tf from '@tensorflow/tfjs-core';
import { createMeanKernel, createSumKernel, createTileKernel, type WrappingKernelFactory } from './broadcast-kernels.js';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputKernel } from './conv2d-backprop-input.js';
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from './depthwise-conv2d-backprop.js';
import { createCastKernel, createIdentityKernel } from './identity-kernels.js';
import { createBatchMatMulKernel } from './matmul-kernel.js';
import { createTransposeKernel } from './transpose-kernel.js';

/** A kernel omniprune registers on the wasm backend. */
interface WasmKernel {
  readonly kernelName: string;
  /** Builds the kernel function; wrapping kernels receive the built-in kernel to delegate to. */
  readonly create: WrappingKernelFactory;
  /** Replace a kernel the backend already has (true when the built-in one is known to be slow). */
  readonly replaceBuiltIn: boolean;
}

const own =
  (kernelFunc: tf.KernelFunc): WrappingKernelFactory =>
  () =>
    kernelFunc;

/**
 * Kernels for training on wasm (tfjs-backend-wasm 4.22), all built on its fast XNNPACK convolution and matrix
 * product: it has no `Conv2DBackpropFilter` nor depthwise backprop kernels, its `Conv2DBackpropInput` is a naive
 * loop ~10x slower than the forward convolution, and the batch-norm backward pass spends most of its time in a
 * slow `Tile` and in transposing `Sum`/`Mean` reductions; `Identity`/`Cast` copy where sharing is enough; and
 * `BatchMatMul` leaves XNNPACK for a naive loop whenever an operand is transposed (every dense-layer gradient);
 * `Transpose` of rank 5+ (attention heads) takes a generic path ~50x slower than its 4-D one.
 */
const WASM_KERNELS: readonly WasmKernel[] = [
  { kernelName: tf.Conv2DBackpropFilter, create: own(conv2dBackpropFilterKernel), replaceBuiltIn: false },
  { kernelName: tf.Conv2DBackpropInput, create: own(conv2dBackpropInputKernel), replaceBuiltIn: true },
  {
    kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
    create: own(depthwiseBackpropFilterKernel),
    replaceBuiltIn: false,
  },
  {
    kernelName: tf.DepthwiseConv2dNativeBackpropInput,
    create: own(depthwiseBackpropInputKernel),
    replaceBuiltIn: false,
  },
  { kernelName: tf.Tile, create: createTileKernel, replaceBuiltIn: true },
  { kernelName: tf.Sum, create: createSumKernel, replaceBuiltIn: true },
  { kernelName: tf.Mean, create: createMeanKernel, replaceBuiltIn: true },
  { kernelName: tf.Identity, create: createIdentityKernel, replaceBuiltIn: true },
  { kernelName: tf.Cast, create: createCastKernel, replaceBuiltIn: true },
  { kernelName: tf.BatchMatMul, create: createBatchMatMulKernel, replaceBuiltIn: true },
  { kernelName: tf.Transpose, create: createTransposeKernel, replaceBuiltIn: true },
];

/** Names of the kernels {@link registerWasmKernels} provides. */
export const WASM_KERNEL_NAMES: readonly string[] = WASM_KERNELS.map((k) => k.kernelName);

/** Kernel functions this module registered, by kernel name (to recognise them on a second call). */
const registeredFuncs = new Map<string, tf.KernelFunc>();

/** Built-in kernels replaced by this module, by kernel name. */
const builtIns = new Map<string, tf.KernelConfig>();

/**
 * Register omniprune's kernels for the `wasm` backend. Idempotent: a kernel registered by a previous call is left
 * alone, and so is a built-in one unless it is known to be slow. A replaced built-in kernel keeps its setup/dispose
 * functions (run when the backend initialises) so the wrapper can still delegate to it.
 * Returns the names registered by this call.
 * @example
 * registerWasmKernels(); // ['Conv2DBackpropFilter', 'Conv2DBackpropInput', ...] the first time, then []
 */
export function registerWasmKernels(): string[] {
  const registered: string[] = [];
  for (const { kernelName, create, replaceBuiltIn } of WASM_KERNELS) {
    const existing = tf.getKernel(kernelName, 'wasm');
    if (existing && existing.kernelFunc === registeredFuncs.get(kernelName)) continue;
    if (existing && !replaceBuiltIn) continue;
    const builtIn = existing ?? builtIns.get(kernelName);
    const kernelFunc = create(builtIn);
    if (existing) {
      builtIns.set(kernelName, existing);
      tf.unregisterKernel(kernelName, 'wasm');
    }
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc,
      setupFunc: builtIn?.setupFunc,
      disposeFunc: builtIn?.disposeFunc,
    });
    registeredFuncs.set(kernelName, kernelFunc);
    registered.push(kernelName);
  }
  return registered;
}

/**
 * Undo {@link registerWasmKernels} for `kernelNames` (default all): put the built-in kernel back, or remove the
 * kernel when wasm has none. For benchmarks and tests comparing against the built-in kernels.
 */
export function restoreWasmKernels(kernelNames: readonly string[] = WASM_KERNEL_NAMES): void {
  for (const kernelName of kernelNames) {
    if (!isOmnipruneWasmKernel(kernelName)) continue;
    tf.unregisterKernel(kernelName, 'wasm');
    const builtIn = builtIns.get(kernelName);
    if (builtIn) tf.registerKernel(builtIn);
  }
}

/** True when `kernelName` on wasm is currently omniprune's kernel (not the built-in one). */
export function isOmnipruneWasmKernel(kernelName: string): boolean {
  const func = registeredFuncs.get(kernelName);
  return func !== undefined && tf.getKernel(kernelName, 'wasm')?.kernelFunc === func;
}
