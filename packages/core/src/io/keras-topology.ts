import type * as tf from '@tensorflow/tfjs-core';

/** A layers-model topology and its weight specs, as in a `model.json`. */
export interface LayersArtifacts {
  readonly modelTopology: Record<string, unknown>;
  readonly weightSpecs: readonly tf.io.WeightsManifestEntry[];
}

/**
 * Normalise a Keras/TF.js layers-model topology into the functional form the engine works on.
 * (Owned by the Keras-formats work: Sequential -> functional, Keras 3 quirks, nested models.)
 */
export function normalizeLayersArtifacts(artifacts: LayersArtifacts): LayersArtifacts & { readonly notes: readonly string[] } {
  return { ...artifacts, notes: [] };
}
