import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError } from '../../errors/omniprune-error.js';
import { glorotUniform } from '../common.js';

/** Base arguments of every tfjs-layers layer (`name`, `trainable`, `inputShape`, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** Arguments (and serialised config) of {@link MultiHeadSelfAttention}. */
export interface MultiHeadSelfAttentionArgs extends LayerArgs {
  /** Number of attention heads (>= 1). */
  numHeads: number;
  /** Width of each head's query, key and value. */
  headDim: number;
  /** Add biases to the Q/K/V and output projections. Default true. */
  useBias?: boolean;
  /** Seed of the Glorot-uniform kernel initialisers; omit for random weights. */
  seed?: number;
}

/** Names of the weights of {@link MultiHeadSelfAttention}, in the order of `layer.weights` (biases when `useBias`). */
export const ATTENTION_WEIGHT_NAMES = [
  'query/kernel',
  'query/bias',
  'key/kernel',
  'key/bias',
  'value/kernel',
  'value/bias',
  'output/kernel',
  'output/bias',
] as const;

type Projection = 'query' | 'key' | 'value' | 'output';

function checkCount(key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new OmnipruneError('E_BAD_INPUT', `MultiHeadSelfAttention: ${key} must be a positive integer, got ${JSON.stringify(value)}`, {
      plugin: 'zoo:vit',
      hint: `pass ${key} >= 1`,
    });
  }
  return value;
}

/**
 * Multi-head self-attention over a token sequence: inputs `[batch, tokens, dim]`, outputs the same shape.
 *
 * out = concat_h(softmax(Q_h K_h^T / sqrt(headDim)) V_h) W_o + b_o, with Q = x W_q + b_q (and K, V alike).
 * Weights, in this order: `query/kernel` [dim, numHeads*headDim], `query/bias` [numHeads*headDim], `key/kernel`,
 * `key/bias`, `value/kernel`, `value/bias` (same shapes), `output/kernel` [numHeads*headDim, dim], `output/bias` [dim]
 * (no biases when `useBias` is false). Head h owns columns h*headDim..(h+1)*headDim-1 of the Q/K/V kernels and
 * biases, and the same rows of the output kernel: zeroing them removes the head exactly.
 *
 * Serialised as class `MultiHeadSelfAttention` with config `{ numHeads, headDim, useBias, seed? }`; call
 * {@link registerZooLayers} before loading a saved model.
 * @example
 * const attn = new MultiHeadSelfAttention({ name: 't0_attn', numHeads: 4, headDim: 16 });
 * const y = attn.apply(tfl.input({ shape: [64, 64] })); // SymbolicTensor [null, 64, 64]
 */
export class MultiHeadSelfAttention extends tfl.layers.Layer {
  /** Class name under which the layer is serialised and registered. */
  static readonly className = 'MultiHeadSelfAttention';

  readonly numHeads: number;
  readonly headDim: number;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  private readonly projections = new Map<string, tfl.LayerVariable>();

  constructor(args: MultiHeadSelfAttentionArgs) {
    super(args);
    this.numHeads = checkCount('numHeads', args.numHeads);
    this.headDim = checkCount('headDim', args.headDim);
    this.useBias = args.useBias ?? true;
    this.seed = args.seed ?? undefined;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const dim = shape[shape.length - 1];
    if (shape.length !== 3 || dim == null) {
      throw new OmnipruneError(
        'E_BAD_INPUT',
        `MultiHeadSelfAttention "${this.name}" expects inputs [batch, tokens, dim] with a known dim, got ${JSON.stringify(shape)}`,
        {
          plugin: 'zoo:vit',
          hint: 'reshape the patch embeddings to [tokens, dim] before the attention layer',
        },
      );
    }
    const inner = this.numHeads * this.headDim;
    const shapes: Record<Projection, [number[], number[]]> = {
      query: [[dim, inner], [inner]],
      key: [[dim, inner], [inner]],
      value: [[dim, inner], [inner]],
      output: [[inner, dim], [dim]],
    };
    for (const [proj, [kernelShape, biasShape]] of Object.entries(shapes)) {
      const kernel = `${proj}/kernel`;
      this.projections.set(kernel, this.addWeight(kernel, kernelShape, 'float32', glorotUniform(this.seed, `${this.name}/${kernel}`)));
      if (this.useBias) {
        const bias = `${proj}/bias`;
        this.projections.set(bias, this.addWeight(bias, biasShape, 'float32', tfl.initializers.zeros()));
      }
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
  }

  /** x [batch*tokens, dim_in] -> x W + b. */
  private project(x: tf.Tensor, proj: Projection): tf.Tensor {
    const y = tf.matMul(x as tf.Tensor2D, this.projections.get(`${proj}/kernel`)!.read() as tf.Tensor2D);
    return this.useBias ? tf.add(y, this.projections.get(`${proj}/bias`)!.read()) : y;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [batch, tokens, dim] = x.shape;
      const heads = this.numHeads;
      const headDim = this.headDim;
      const flat = tf.reshape(x, [batch * tokens, dim]);
      // [batch*tokens, heads*headDim] -> [batch, heads, tokens, headDim]
      const split = (t: tf.Tensor): tf.Tensor4D => tf.transpose(tf.reshape(t, [batch, tokens, heads, headDim]), [0, 2, 1, 3]);
      const q = split(this.project(flat, 'query'));
      const k = split(this.project(flat, 'key'));
      const v = split(this.project(flat, 'value'));
      const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headDim));
      const context = tf.matMul(tf.softmax(scores, -1), v);
      const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch * tokens, heads * headDim]);
      const out = this.project(merged, 'output');
      return tf.reshape(out, [batch, tokens, -1]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      ...super.getConfig(),
      numHeads: this.numHeads,
      headDim: this.headDim,
      useBias: this.useBias,
    };
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}
