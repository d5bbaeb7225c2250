import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { heapOffset, type WasmHeapBackend } from './wasm-heap.js';
import type { NativeAddon } from './native-addon.js';

/** Batch normalisation with batch statistics, channels last: inputs x, gamma, beta; outputs y, mean, variance. */
export const BATCH_NORM_TRAIN = 'OmnipruneBatchNormTrain';
/** Its gradient: inputs dy, x, gamma, mean, variance; outputs dx, dgamma, dbeta. */
export const BATCH_NORM_GRAD = 'OmnipruneBatchNormGrad';
/**
 * The moving statistics' update, `moving - (moving - batch) * decay` for the mean and the variance in one kernel
 * (inputs movingMean, movingVariance, mean, variance; attr decay; outputs the new moving mean and variance): one call
 * per layer and step instead of six tiny ones (3 x 57 layers x 2 in a ResNet-56 step).
 */
export const MOVING_AVERAGES = 'OmnipruneMovingAverages';

interface BatchNormAttrs {
  epsilon: number;
}

function rowsAndChannels(x: tf.TensorInfo): Int32Array {
  const channels = x.shape[x.shape.length - 1];
  return Int32Array.of(tf.util.sizeFromShape(x.shape) / channels, channels);
}

/** `moving - (moving - batch) * decay` with every operation rounded to float32, as the tfjs-core ops it replaces. */
function movingAverage(heap: Float32Array, moving: number, batch: number, out: number, count: number, decay: number): void {
  const d = Math.fround(decay);
  for (let i = 0; i < count; i++) {
    const m = heap[moving + i];
    heap[out + i] = Math.fround(m - Math.fround(Math.fround(m - heap[batch + i]) * d));
  }
}

/** The kernels for the wasm backend: batch norm on the addon in place on the wasm heap, the moving averages in JS on it. */
export function batchNormKernels(addon: NativeAddon): Record<string, tf.KernelFunc> {
  return {
    [MOVING_AVERAGES]: ({ inputs, attrs, backend }) => {
      const { movingMean, movingVariance, mean, variance } = inputs as unknown as Record<string, tf.TensorInfo>;
      const b = backend as WasmHeapBackend;
      const outs = [movingMean, movingVariance].map((t) => b.makeOutput([...t.shape], 'float32'));
      const heap = new Float32Array(b.wasm.HEAPU8.buffer);
      const at = (t: tf.TensorInfo) => heapOffset(b, t) / 4;
      const { decay } = attrs as unknown as { decay: number };
      const count = tf.util.sizeFromShape(movingMean.shape);
      movingAverage(heap, at(movingMean), at(mean), at(outs[0]), count, decay);
      movingAverage(heap, at(movingVariance), at(variance), at(outs[1]), count, decay);
      return outs;
    },
    [BATCH_NORM_TRAIN]: ({ inputs, attrs, backend }) => {
      const { x, gamma, beta } = inputs as unknown as Record<string, tf.TensorInfo>;
      const b = backend as WasmHeapBackend;
      const shape = rowsAndChannels(x);
      const y = b.makeOutput([...x.shape], 'float32');
      const mean = b.makeOutput([shape[1]], 'float32');
      const variance = b.makeOutput([shape[1]], 'float32');
      const at = (t: tf.TensorInfo) => heapOffset(b, t);
      addon.batchNormTrain(b.wasm.HEAPU8, shape, (attrs as unknown as BatchNormAttrs).epsilon, at(x), at(gamma), at(beta), at(y), at(mean), at(variance));
      return [y, mean, variance];
    },
    [BATCH_NORM_GRAD]: ({ inputs, attrs, backend }) => {
      const { dy, x, gamma, mean, variance } = inputs as unknown as Record<string, tf.TensorInfo>;
      const b = backend as WasmHeapBackend;
      const shape = rowsAndChannels(x);
      const dx = b.makeOutput([...x.shape], 'float32');
      const dgamma = b.makeOutput([shape[1]], 'float32');
      const dbeta = b.makeOutput([shape[1]], 'float32');
      const at = (t: tf.TensorInfo) => heapOffset(b, t);
      addon.batchNormGrad(
        b.wasm.HEAPU8,
        shape,
        (attrs as unknown as BatchNormAttrs).epsilon,
        at(dy),
        at(x),
        at(gamma),
        at(mean),
        at(variance),
        at(dx),
        at(dgamma),
        at(dbeta),
      );
      return [dx, dgamma, dbeta];
    },
  };
}

/** Gradient of {@link BATCH_NORM_TRAIN} (through the batch statistics, as tfjs-layers' moments-based one). */
export const batchNormTrainGradient: tf.GradConfig = {
  kernelName: BATCH_NORM_TRAIN,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [x, gamma, mean, variance] = saved;
    const dy = Array.isArray(dys) ? dys[0] : dys;
    const [dx, dgamma, dbeta] = tf.engine().runKernel(BATCH_NORM_GRAD, { dy, x, gamma, mean, variance }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};

/** What the patched `call` reads of a BatchNormalization layer. */
interface BatchNormLayer {
  axis: number;
  epsilon: number;
  momentum: number;
  gamma?: tfl.LayerVariable;
  beta?: tfl.LayerVariable;
  movingMean: tfl.LayerVariable;
  movingVariance: tfl.LayerVariable;
}

type LayerCall = (this: BatchNormLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

let patched = false;

/**
 * Make tfjs-layers' `BatchNormalization` train through {@link BATCH_NORM_TRAIN} when `active()` (the native kernels
 * are on and wasm runs), the layer normalises the last axis of a float32 input and has gamma and beta: one native
 * kernel forward and one backward instead of ~20 elementwise kernels. Moving averages are updated as tfjs-layers does
 * (the same float32 results), in one kernel ({@link MOVING_AVERAGES}). Any other case (inference, another backend) runs the original `call`. Installed once.
 */
export function patchBatchNormalization(active: () => boolean): void {
  if (patched) return;
  patched = true;
  const proto = Object.getPrototypeOf(tfl.layers.batchNormalization({})) as { call: LayerCall };
  const original = proto.call;
  proto.call = function call(this: BatchNormLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const rank = input.shape.length;
    const lastAxis = this.axis === -1 || this.axis === rank - 1;
    if (!kwargs?.training || !active() || !lastAxis || !this.gamma || !this.beta || input.dtype !== 'float32' || tf.getBackend() !== 'wasm') {
      return original.call(this, inputs, kwargs);
    }
    return tf.tidy(() => {
      const [y, mean, variance] = tf
        .engine()
        .runKernel(BATCH_NORM_TRAIN, { x: input, gamma: this.gamma!.read(), beta: this.beta!.read() }, { epsilon: this.epsilon }) as tf.Tensor[];
      const [movingMean, movingVariance] = tf
        .engine()
        .runKernel(
          MOVING_AVERAGES,
          { movingMean: this.movingMean.read(), movingVariance: this.movingVariance.read(), mean, variance },
          { decay: 1 - this.momentum },
        ) as tf.Tensor[];
      this.movingMean.write(movingMean);
      this.movingVariance.write(movingVariance);
      return y;
    });
  };
}
