import * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from './native-addon.js';
import { delegate, heapOffset, type Fallback, type WasmHeapBackend } from './wasm-heap.js';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** The 17 integers the addon reads: input, filter, output, strides, dilations, padding (top, left, bottom, right). */
export function convDims(info: tf.backend_util.Conv2DInfo): Int32Array {
  const p = info.padInfo;
  return Int32Array.of(
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    p.top,
    p.left,
    p.bottom,
    p.right,
  );
}

function convInfo(
  inShape: readonly number[],
  filterShape: readonly number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: Pad,
  rounding: 'floor' | 'round' | 'ceil' | undefined,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad,
    rounding,
    false,
    'channelsLast',
  );
}

/**
 * oneDNN accepts a geometry when `out = (in + padBefore + padAfter - span) / stride + 1` exactly; TF.js `valid`
 * padding leaves unused trailing rows, which oneDNN models as negative bottom/right padding.
 */
function fitPadding(info: tf.backend_util.Conv2DInfo): tf.backend_util.Conv2DInfo {
  const spanH = (info.filterHeight - 1) * info.dilationHeight + 1;
  const spanW = (info.filterWidth - 1) * info.dilationWidth + 1;
  const bottom = (info.outHeight - 1) * info.strideHeight + spanH - info.inHeight - info.padInfo.top;
  const right = (info.outWidth - 1) * info.strideWidth + spanW - info.inWidth - info.padInfo.left;
  return { ...info, padInfo: { ...info.padInfo, bottom, right } };
}

/** Kernels for NHWC float32 only; anything else goes to the kernel they replace. */
function nativeApplies(dataFormat: string | undefined, ...inputs: tf.TensorInfo[]): boolean {
  return (dataFormat ?? 'NHWC') === 'NHWC' && inputs.every((t) => t.dtype === 'float32');
}

/** One native convolution call: its two inputs, geometry, output shape and (forward only) bias and ReLU. */
interface NativeConv {
  readonly a: tf.TensorInfo;
  readonly b: tf.TensorInfo;
  readonly info: tf.backend_util.Conv2DInfo;
  readonly outShape: readonly number[];
  readonly bias?: tf.TensorInfo;
  readonly relu?: boolean;
}

type ConvCall = (heap: Uint8Array, a: number, b: number, out: number, dims: Int32Array, bias?: number, relu?: boolean) => void;

/**
 * A kernel running `call` on the addon when `plan` returns a call, else the kernel it replaced (`fallback`).
 * The output is allocated first; the heap is read after it (allocation can grow the wasm memory).
 */
function convKernel(name: string, plan: (args: Parameters<tf.KernelFunc>[0]) => NativeConv | null, call: ConvCall, fallback: Fallback): tf.KernelFunc {
  return (args) => {
    const conv = plan(args);
    if (!conv) return delegate(name, fallback, args);
    const backend = args.backend as WasmHeapBackend;
    const out = backend.makeOutput([...conv.outShape], 'float32');
    const at = (t: tf.TensorInfo) => heapOffset(backend, t);
    call(backend.wasm.HEAPU8, at(conv.a), at(conv.b), at(out), convDims(fitPadding(conv.info)), conv.bias ? at(conv.bias) : -1, conv.relu ?? false);
    return out;
  };
}

/**
 * `Conv2D`, `FusedConv2D` (bias, linear or ReLU), `Conv2DBackpropInput` and `Conv2DBackpropFilter` kernels for the
 * wasm backend running on the addon, in place on the wasm heap (no copies). `fallback` gets the cases the addon does
 * not take (NCHW, non-float32, other fused activations).
 */
export function nativeConvKernels(addon: NativeAddon, fallback: Fallback): Record<string, tf.KernelFunc> {
  const forward: ConvCall = (...a) => addon.conv2d(...a);
  return {
    [tf.Conv2D]: convKernel(
      tf.Conv2D,
      ({ inputs, attrs }) => {
        const { x, filter } = inputs as unknown as Record<string, tf.TensorInfo>;
        const a = attrs as unknown as tf.Conv2DAttrs;
        if (!nativeApplies(a.dataFormat, x, filter)) return null;
        const info = convInfo(x.shape, filter.shape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode);
        return { a: x, b: filter, info, outShape: info.outShape };
      },
      forward,
      fallback,
    ),
    [tf.FusedConv2D]: convKernel(
      tf.FusedConv2D,
      ({ inputs, attrs }) => {
        const { x, filter, bias, preluActivationWeights } = inputs as unknown as Record<string, tf.TensorInfo | undefined>;
        const a = attrs as unknown as tf.FusedConv2DAttrs;
        const plainBias = !bias || (bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === filter!.shape[3]);
        const activation = a.activation ?? 'linear';
        if (!nativeApplies(a.dataFormat, x!, filter!) || !plainBias || preluActivationWeights || (activation !== 'linear' && activation !== 'relu'))
          return null;
        const info = convInfo(x!.shape, filter!.shape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode);
        return { a: x!, b: filter!, info, outShape: info.outShape, bias, relu: activation === 'relu' };
      },
      forward,
      fallback,
    ),
    [tf.Conv2DBackpropInput]: convKernel(
      tf.Conv2DBackpropInput,
      ({ inputs, attrs }) => {
        const { dy, filter } = inputs as unknown as Record<string, tf.TensorInfo>;
        const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
        if (!nativeApplies(a.dataFormat, dy, filter)) return null;
        return { a: dy, b: filter, info: convInfo(a.inputShape, filter.shape, a.strides, 1, a.pad, a.dimRoundingMode), outShape: a.inputShape };
      },
      (heap, a, b, out, dims) => addon.conv2dBackpropInput(heap, a, b, out, dims),
      fallback,
    ),
    [tf.Conv2DBackpropFilter]: convKernel(
      tf.Conv2DBackpropFilter,
      ({ inputs, attrs }) => {
        const { x, dy } = inputs as unknown as Record<string, tf.TensorInfo>;
        const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
        if (!nativeApplies(a.dataFormat, x, dy)) return null;
        return { a: x, b: dy, info: convInfo(x.shape, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode), outShape: a.filterShape };
      },
      (heap, a, b, out, dims) => addon.conv2dBackpropFilter(heap, a, b, out, dims),
      fallback,
    ),
  };
}
