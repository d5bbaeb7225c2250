import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from './multi-head-self-attention.js';

/** Arguments (and serialised config) of {@link HardSigmoid}. */
export interface HardSigmoidArgs extends LayerArgs {
  /** Slope. Default 1/6 (PyTorch's `nn.Hardsigmoid`; ONNX's own default is 0.2). */
  alpha?: number;
  /** Offset. Default 0.5. */
  beta?: number;
}

/**
 * Elementwise `max(0, min(1, alpha * x + beta))`, ONNX's `HardSigmoid` with its `alpha`/`beta` (TF.js's
 * `hardSigmoid` activation is fixed at Keras's slope 0.2). No weights; serialised as class `HardSigmoid` with
 * config `{ alpha, beta }`, registered by `registerZooLayers`.
 * @example
 * const gate = new HardSigmoid({ name: 'se.gate', alpha: 1 / 6, beta: 0.5 }).apply(x);
 */
export class HardSigmoid extends tfl.layers.Layer {
  /** Class name under which the layer is serialised and registered. */
  static readonly className = 'HardSigmoid';

  readonly alpha: number;
  readonly beta: number;

  constructor(args: HardSigmoidArgs = {}) {
    super(args);
    this.alpha = args.alpha ?? 1 / 6;
    this.beta = args.beta ?? 0.5;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.clipByValue(tf.add(tf.mul(x, this.alpha), this.beta), 0, 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.alpha, beta: this.beta };
  }
}

/**
 * Elementwise `x * relu6(x + 3) / 6` (PyTorch's `nn.Hardswish`, ONNX's `HardSwish`). No weights, no config;
 * serialised as class `HardSwish`, registered by `registerZooLayers`.
 * @example
 * const y = new HardSwish({ name: 'stem.act' }).apply(x);
 */
export class HardSwish extends tfl.layers.Layer {
  /** Class name under which the layer is serialised and registered. */
  static readonly className = 'HardSwish';

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
    });
  }
}
