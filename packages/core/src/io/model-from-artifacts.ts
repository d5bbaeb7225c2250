import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { isOmnipruneError, OmnipruneError } from '../errors/omniprune-error.js';
import { registerZooLayers } from '../zoo/index.js';
import { normalizeLayersArtifacts, type LayersArtifacts } from './keras-topology.js';
import { annotateModel, type ClassifierSpec } from './model-annotations.js';
import { checkTopologyReferences } from './topology-references.js';
import type { ModelOrigin } from './model-format.js';

/**
 * Build a TF.js model from layers-model artifacts read from `file` (a `model.json`, or a Keras `.h5`/`.keras` read
 * into the same shape): normalise the topology (Sequential, Keras 3, nested models; see `normalizeLayersArtifacts`),
 * build it with the zoo's layers registered, and attach `origin` (and a classifier override) to the model. Errors
 * name `file`; a class TF.js cannot deserialize is `E_UNSUPPORTED_LAYER` naming it and how to register it.
 * @example
 * const { model, notes } = await modelFromArtifacts({ modelTopology, weightSpecs, weightData }, 'm.h5', { format: 'keras-h5', file: 'm.h5' });
 */
export async function modelFromArtifacts(
  artifacts: LayersArtifacts & { readonly weightData: ArrayBuffer },
  file: string,
  origin: ModelOrigin,
  classifier?: ClassifierSpec,
): Promise<{ model: tfl.LayersModel; notes: readonly string[] }> {
  registerZooLayers();
  let normalized: ReturnType<typeof normalizeLayersArtifacts>;
  try {
    normalized = normalizeLayersArtifacts(artifacts);
  } catch (cause) {
    if (!isOmnipruneError(cause)) throw cause;
    throw new OmnipruneError(cause.code, `${file}: ${cause.message.split('\n  hint: ')[0]}`, { cause, hint: cause.hint });
  }
  checkTopologyReferences(normalized.modelTopology, file);
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: normalized.modelTopology,
        weightSpecs: [...normalized.weightSpecs],
        weightData: normalized.weightData ?? artifacts.weightData,
      }),
    );
  } catch (cause) {
    throw layersLoadError(file, cause);
  }
  annotateModel(model, { origin, classifier });
  return { model, notes: normalized.notes };
}

/** The error for a topology TF.js cannot build: an unknown class names the class and how to register it. */
function layersLoadError(file: string, cause: unknown): OmnipruneError {
  const message = (cause as Error)?.message ?? String(cause);
  const unknown = /Unknown (layer|initializer|regularizer|constraint|activation|loss|metric|class(?:Name)?):? ?([A-Za-z0-9_>]+)/i.exec(message);
  if (unknown) {
    const kind = /^class/i.test(unknown[1]) ? 'layer' : unknown[1].toLowerCase();
    return new OmnipruneError('E_UNSUPPORTED_LAYER', `${file} uses ${kind} class ${unknown[2]}, which TensorFlow.js cannot deserialize`, {
      cause,
      hint: `register a TF.js implementation first (tf.serialization.registerClass(${unknown[2]}) in a plugin module listed under \`plugins:\`), or replace it with built-in layers and save the model again`,
    });
  }
  return new OmnipruneError('E_CORRUPT_FILE', `cannot build the model in ${file}: ${message}`, {
    cause,
    hint: 'the topology and its weights disagree; save or export the model again',
  });
}
