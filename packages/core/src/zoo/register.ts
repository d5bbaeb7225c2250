import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { AddPositionEmbedding } from './layers/add-position-embedding.js';
import { HardSigmoid, HardSwish } from './layers/hard-activations.js';
import { MultiHeadSelfAttention } from './layers/multi-head-self-attention.js';

/** The zoo's custom layer classes, by serialised class name. */
const ZOO_LAYERS = [MultiHeadSelfAttention, AddPositionEmbedding, HardSigmoid, HardSwish] as const;

/**
 * Register the zoo's custom layers (`MultiHeadSelfAttention`, `AddPositionEmbedding`, and `HardSigmoid`/`HardSwish`
 * that ONNX import creates) with TF.js serialisation, so
 * models holding them can be loaded (`tfl.loadLayersModel`, `tfl.models.modelFromJSON`). Idempotent; called by
 * {@link vit} and {@link loadLayersModel}, call it yourself before other loaders.
 * @example
 * registerZooLayers();
 * const model = await tfl.models.modelFromJSON({ modelTopology: json });
 */
export function registerZooLayers(): void {
  const map = tf.serialization.SerializationMap.getMap().classNameMap;
  for (const cls of ZOO_LAYERS) {
    if (map[cls.className]?.[0] !== cls) tf.serialization.registerClass(cls);
  }
}

/**
 * `tfl.loadLayersModel` that knows the zoo's custom layers: registers them, then loads.
 * @param source URL (`file://` needs `@tensorflow/tfjs-node`) or IO handler, e.g. `tf.io.fromMemory(artifacts)`.
 * @param options Load options passed through to `tfl.loadLayersModel` (default none).
 * @example
 * let artifacts!: tf.io.ModelArtifacts;
 * await model.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
 * const copy = await loadLayersModel(tf.io.fromMemory(artifacts));
 */
export async function loadLayersModel(source: string | tf.io.IOHandler, options?: tf.io.LoadOptions): Promise<tfl.LayersModel> {
  registerZooLayers();
  try {
    return await tfl.loadLayersModel(source, options);
  } catch (cause) {
    const where = typeof source === 'string' ? `"${source}"` : 'the given IO handler';
    throw new OmnipruneError('E_CORRUPT_FILE', `cannot load a Layers model from ${where}: ${(cause as Error).message}`, {
      plugin: 'zoo',
      hint: 'check that the path holds a TF.js Layers model (model.json + weights); file:// URLs need @tensorflow/tfjs-node',
      cause,
    });
  }
}
