/**
 * Internal helpers shared by the zoo builders: per-layer seeds, initialisers, the L2 regulariser and option checks.
 * Not re-exported from the package.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError } from '../errors/omniprune-error.js';

/** A tfjs-layers weight initialiser. */
export type Initializer = ReturnType<typeof tfl.initializers.heNormal>;
/** A tfjs-layers weight regulariser. */
export type Regularizer = ReturnType<typeof tfl.regularizers.l2>;
/** A symbolic tensor of a functional model under construction. */
export type Sym = tfl.SymbolicTensor;

/**
 * Seed of one weight's initialiser: a hash of the model seed and the weight's full name, so that a layer's initial
 * weights depend only on `(seed, name)` (not on how many layers were built before it). Undefined when unseeded.
 */
export function weightSeed(seed: number | undefined, name: string): number | undefined {
  if (seed === undefined) return undefined;
  let h = (0x811c9dc5 ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** He-normal (truncated) initialiser, seeded per layer. */
export function heNormal(seed: number | undefined, name: string): Initializer {
  return tfl.initializers.heNormal({ seed: weightSeed(seed, name) });
}

/** Glorot-uniform initialiser, seeded per layer. */
export function glorotUniform(seed: number | undefined, name: string): Initializer {
  return tfl.initializers.glorotUniform({ seed: weightSeed(seed, name) });
}

/** L2 kernel regulariser, or undefined when `weightDecay` is 0. */
export function l2(weightDecay: number): Regularizer | undefined {
  return weightDecay > 0 ? tfl.regularizers.l2({ l2: weightDecay }) : undefined;
}

function bad(model: string, message: string, hint: string): OmnipruneError {
  return new OmnipruneError('E_BAD_INPUT', message, { plugin: `zoo:${model}`, hint });
}

/** Check a positive integer option. */
export function checkPositiveInt(model: string, key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw bad(model, `${key} must be a positive integer, got ${JSON.stringify(value)}`, `pass ${key} as an integer >= 1`);
  }
  return value;
}

/** Check an input shape `[height, width, channels]` (or `[..dims]` of the given rank) of positive integers. */
export function checkInputShape(model: string, shape: unknown, rank = 3): number[] {
  if (!Array.isArray(shape) || shape.length !== rank || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw bad(
      model,
      `inputShape must be ${rank} positive integers [height, width, channels], got ${JSON.stringify(shape)}`,
      'e.g. inputShape: [32, 32, 3] for CIFAR or [28, 28, 1] for Fashion-MNIST (no batch axis)',
    );
  }
  return shape as number[];
}

/** Check a non-negative, finite weight decay (default `fallback`). */
export function checkWeightDecay(model: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw bad(model, `weightDecay must be a finite number >= 0, got ${JSON.stringify(value)}`, 'use 0 to disable the L2 regulariser');
  }
  return value;
}

/** Check an optional integer seed. */
export function checkSeed(model: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw bad(model, `seed must be an integer, got ${JSON.stringify(value)}`, 'omit seed for random weights');
  }
  return value;
}

/** Throw an E_BAD_INPUT error of the given zoo model. */
export function badOption(model: string, message: string, hint: string): never {
  throw bad(model, message, hint);
}

/**
 * Batch-norm running-average momentum of the zoo: 0.9, PyTorch's default (its `momentum=0.1`). Keras' 0.99 needs
 * thousands of steps before the running statistics are usable, too slow for the short fine-tunes of pruning.
 */
export const BN_MOMENTUM = 0.9;

/** Conv2D (no bias, BN follows) -> BatchNormalization, with the zoo's naming. */
export function convBn(
  x: Sym,
  args: {
    filters: number;
    kernelSize: number;
    strides: number;
    conv: string;
    bn: string;
    seed: number | undefined;
    regularizer: Regularizer | undefined;
  },
): Sym {
  const y = tfl.layers
    .conv2d({
      name: args.conv,
      filters: args.filters,
      kernelSize: args.kernelSize,
      strides: args.strides,
      padding: 'same',
      useBias: false,
      kernelInitializer: heNormal(args.seed, args.conv),
      kernelRegularizer: args.regularizer,
    })
    .apply(x) as Sym;
  return tfl.layers.batchNormalization({ name: args.bn, axis: -1, momentum: BN_MOMENTUM }).apply(y) as Sym;
}

/** An `Activation` layer. */
export function activation(x: Sym, name: string, fn: 'relu' | 'softmax' | 'linear'): Sym {
  return tfl.layers.activation({ name, activation: fn }).apply(x) as Sym;
}
