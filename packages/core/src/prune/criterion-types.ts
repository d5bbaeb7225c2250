import type * as tf from '@tensorflow/tfjs-core';

/** Two representations of the same samples: `n x p` and `n x q` (rows are samples). */
export type Representation = tf.Tensor2D | number[][];

/**
 * A similarity metric between two representations of the same samples (higher = more similar).
 * Used to choose between candidates: the candidate most similar to its parent wins.
 * @example
 * const s = metric.similarity(parentFeatures, candidateFeatures); // e.g. linear CKA in [0, 1]
 */
export interface SimilarityMetric {
  readonly role: 'similarity';
  /** Name as registered, e.g. `linear-cka`. */
  readonly name: string;
  similarity(x: Representation, y: Representation): number;
  /**
   * Optional streaming form for sample sets too large for one matrix: feed aligned batches, then read.
   * Metrics without it are computed on the concatenated features.
   */
  accumulator?(): SimilarityAccumulator;
}

/** Streaming similarity over aligned batches of two representations. */
export interface SimilarityAccumulator {
  add(x: Representation, y: Representation): void;
  value(): number;
}
