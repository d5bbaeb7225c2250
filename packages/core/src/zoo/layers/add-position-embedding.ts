import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError } from '../../errors/omniprune-error.js';
import { weightSeed } from '../common.js';
import type { LayerArgs } from './multi-head-self-attention.js';

/** Arguments (and serialised config) of {@link AddPositionEmbedding}. */
export interface AddPositionEmbeddingArgs extends LayerArgs {
  /** Standard deviation of the truncated-normal initialiser. Default 0.02 (as in ViT). */
  stddev?: number;
  /** Seed of the initialiser; omit for random weights. */
  seed?: number;
}

/**
 * Adds a learned position embedding to a token sequence: inputs `[batch, tokens, dim]`, outputs the same shape.
 * One trainable weight, `embeddings` `[tokens, dim]` (truncated normal, stddev 0.02), broadcast over the batch.
 *
 * Serialised as class `AddPositionEmbedding` with config `{ stddev, seed? }`; call {@link registerZooLayers}
 * before loading a saved model.
 * @example
 * const x = new AddPositionEmbedding({ name: 'pos_embed' }).apply(tokens); // same shape as tokens
 */
export class AddPositionEmbedding extends tfl.layers.Layer {
  /** Class name under which the layer is serialised and registered. */
  static readonly className = 'AddPositionEmbedding';

  readonly stddev: number;
  readonly seed: number | undefined;
  private embeddings: tfl.LayerVariable | undefined;

  constructor(args: AddPositionEmbeddingArgs = {}) {
    super(args);
    this.stddev = args.stddev ?? 0.02;
    this.seed = args.seed ?? undefined;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const [, tokens, dim] = shape;
    if (shape.length !== 3 || tokens == null || dim == null) {
      throw new OmnipruneError(
        'E_BAD_INPUT',
        `AddPositionEmbedding "${this.name}" expects inputs [batch, tokens, dim] with known tokens and dim, got ${JSON.stringify(shape)}`,
        {
          plugin: 'zoo:vit',
          hint: 'reshape the patch embeddings to [tokens, dim] first',
        },
      );
    }
    const init = tfl.initializers.truncatedNormal({ mean: 0, stddev: this.stddev, seed: weightSeed(this.seed, `${this.name}/embeddings`) });
    this.embeddings = this.addWeight('embeddings', [tokens, dim], 'float32', init);
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.add(x, this.embeddings!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), stddev: this.stddev };
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}
