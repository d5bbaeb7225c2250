import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError } from '../errors/omniprune-error.js';

/**
 * Backward kernels a layer class needs beyond the elementwise/matmul ones every backend has.
 * Some backends (wasm in tfjs 4.22) lack them, and a failed backward pass leaks the forward pass's saved
 * tensors inside tfjs, so the trainer checks before the first step.
 */
const GRADIENT_KERNELS: Record<string, readonly string[]> = {
  Conv1D: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'],
  Conv2D: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'],
  SeparableConv2D: ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'],
  DepthwiseConv2D: ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'],
  MaxPooling2D: ['MaxPoolGrad'],
  AveragePooling2D: ['AvgPoolGrad'],
};

function layerClasses(model: tfl.LayersModel, into = new Set<string>()): Set<string> {
  for (const layer of model.layers) {
    into.add(layer.getClassName());
    if (layer instanceof tfl.LayersModel) layerClasses(layer, into);
  }
  return into;
}

/** Backward kernels `model` needs that the current backend lacks (empty when training can proceed). */
export function missingGradientKernels(model: tfl.LayersModel, backend = tf.getBackend()): string[] {
  const missing = new Set<string>();
  for (const className of layerClasses(model)) {
    for (const kernel of GRADIENT_KERNELS[className] ?? []) {
      if (tf.getKernel(kernel, backend) === undefined) missing.add(kernel);
    }
  }
  return [...missing];
}

/** Throw `E_BACKEND` before training when the current backend cannot compute `model`'s gradients. */
export function assertTrainableOnBackend(model: tfl.LayersModel, plugin: string): void {
  const backend = tf.getBackend();
  const missing = missingGradientKernels(model, backend);
  if (missing.length === 0) return;
  throw new OmnipruneError(
    'E_BACKEND',
    `the ${backend} backend cannot train model ${model.name}: it has no ` + `${missing.join(', ')} kernel(s), needed for gradients`,
    {
      plugin,
      hint: `train on the cpu backend (tf.setBackend('cpu')) or tfjs-node; ${backend} can still evaluate and predict`,
    },
  );
}
