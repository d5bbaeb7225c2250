import type * as tf from '@tensorflow/tfjs-core';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { newFlattenResult } from './keras/flatten-nested.js';
import { cloneJson, isObject, MODEL_CLASSES, type LayerEntry } from './keras/keras-json.js';
import { newNodeCounts, nodeNotes } from './keras/keras3-nodes.js';
import { newUnwrapCounts, stripBuildConfigs, unwrapKerasObjects, unwrapNotes } from './keras/keras3-objects.js';
import { layerConfigNotes, newLayerConfigCounts } from './keras/layer-configs.js';
import { isSavingPath, kerasSavingPaths } from './keras/saving-paths.js';
import { toFunctional, type ConvertContext } from './keras/to-functional.js';
import { renameWeightSpecs } from './keras/weight-names.js';

/** A layers-model topology and its weight specs, as in a `model.json`. */
export interface LayersArtifacts {
  readonly modelTopology: Record<string, unknown>;
  readonly weightSpecs: readonly tf.io.WeightsManifestEntry[];
  /**
   * The weight bytes, optional. With them, specs that are not model weights (optimizer state of a converted
   * `.keras` file) can be dropped anywhere and the trimmed bytes are returned; without them only trailing ones.
   */
  readonly weightData?: ArrayBuffer;
}

/**
 * Normalise any Keras/TF.js layers-model topology TF.js can run into the functional form the graph engine works on,
 * keeping layer names, and say what changed (one line per kind of change):
 * - Sequential (config as a list or `{name, layers}`) -> functional graph; without an InputLayer one named
 *   `<first_layer>_input` (the Keras 2 and TF.js convention) is added from the first layer's input shape;
 * - nested Sequential/functional models -> flattened into one graph when they and their layers are called once;
 * - Keras 3 serialization -> Keras 2: `{module, class_name, config, registered_name}` wrappers, dtype policies
 *   (`DTypePolicy` -> `"float32"`), `__keras_tensor__` inbound nodes, `batch_shape`, flat `input_layers`/`output_layers`,
 *   `build_config`/`compile_config` dropped; initializers, regularizers and activations TF.js names differently;
 * - weight names that follow (`sequential/conv2d/kernel` -> `conv2d/kernel`; Keras 3 paths `layers/conv2d/vars/0`
 *   -> `conv2d/0`, which TF.js matches by position).
 * A topology that is not a Sequential or functional model (a subclassed model) is an `E_UNSUPPORTED_MODEL` error.
 * @example
 * const { modelTopology, weightSpecs, notes } = normalizeLayersArtifacts({ modelTopology: json.modelTopology, weightSpecs });
 */
export function normalizeLayersArtifacts(artifacts: LayersArtifacts): LayersArtifacts & { readonly notes: readonly string[] } {
  const topology = cloneJson(artifacts.modelTopology);
  const wrapped = 'model_config' in topology;
  let root = wrapped ? topology.model_config : topology;
  if (typeof root === 'string') root = parseConfig(root);
  if (!isObject(root) || typeof root.class_name !== 'string') {
    throw new OmnipruneError('E_CORRUPT_FILE', 'the model topology has no class_name (expected a Keras/TF.js model config)', {
      hint: 'pass a model.json written by TF.js or tensorflowjs_converter, or the Keras .h5/.keras file itself',
    });
  }
  const unwrapCounts = newUnwrapCounts();
  const model = unwrapKerasObjects(root, unwrapCounts) as LayerEntry;
  if (!MODEL_CLASSES.has(model.class_name)) {
    throw new OmnipruneError('E_UNSUPPORTED_MODEL', `the topology is a "${model.class_name}", not a Sequential or functional model`, {
      hint: 'subclassed Keras models save no layer graph: rebuild the network with keras.Sequential or keras.Model(inputs, outputs), load the weights, and save it again',
    });
  }
  const savingPaths = artifacts.weightSpecs.some((s) => isSavingPath(s.name)) ? kerasSavingPaths(model) : new Map();
  const ctx: ConvertContext = { nodes: newNodeCounts(), layers: newLayerConfigCounts(), notes: [], flatten: newFlattenResult() };
  const functional = toFunctional(model, ctx);
  stripBuildConfigs(functional);
  const { class_name: className, config: _config, build_config: _build, compile_config: _compile, ...rest } = model;
  const normalized = { ...rest, class_name: className === 'Sequential' ? 'Model' : className, config: functional };
  const weights = renameWeightSpecs(
    artifacts.weightSpecs,
    {
      layers: new Set(functional.layers.map((l) => l.name!)),
      model: functional.name,
      flatten: ctx.flatten,
      savingPaths,
    },
    ctx.notes,
    artifacts.weightData,
  );
  const notes = [...ctx.notes, ...unwrapNotes(unwrapCounts), ...nodeNotes(ctx.nodes), ...layerConfigNotes(ctx.layers)];
  return {
    modelTopology: wrapped ? { ...topology, model_config: normalized } : normalized,
    weightSpecs: weights.weightSpecs,
    ...(weights.weightData ? { weightData: weights.weightData } : {}),
    notes,
  };
}

function parseConfig(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new OmnipruneError('E_CORRUPT_FILE', `the model_config is not valid JSON: ${(cause as Error).message}`, { cause, hint: 're-export the model' });
  }
}
