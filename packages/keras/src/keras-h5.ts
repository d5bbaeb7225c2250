import { OmnipruneError } from '@omniprune/core';
import { childGroup, Dataset, readFloat32, stringAttr, stringListAttr, withHdf5, type Group, type H5File } from './hdf5.js';
import { WeightCollector, type KerasArtifacts } from './keras-artifacts.js';

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

/**
 * Read a Keras 2 HDF5 model (`model.save("m.h5")`; Keras 3's legacy `.h5` too): the root attribute `model_config`,
 * `keras_version` and `backend`, and the weights of group `model_weights` (one group per layer, attribute
 * `weight_names`, datasets at those paths). Weights keep their saved name without `:0` (`conv2d/kernel`), as
 * tensorflowjs_converter names them, or become `<layer>/<weight>` when saved under another prefix; a nested model's
 * weights keep theirs (`dense_1/kernel`, `sequential/dense_1/kernel`), which `normalizeLayersArtifacts` maps. Optimizer state and `training_config` are not read.
 * A weights-only file (`model.save_weights`) is an `E_BAD_INPUT` error saying what to save instead.
 * @example
 * const artifacts = await kerasH5Artifacts(await readFile('m.h5'), 'm.h5');
 */
export function kerasH5Artifacts(bytes: Uint8Array, file: string): Promise<KerasArtifacts> {
  return withHdf5(bytes, file, (h5) => read(h5, file));
}

function read(h5: H5File, file: string): KerasArtifacts {
  const configText = stringAttr(h5, 'model_config');
  if (configText === undefined) throw noModelConfig(h5, file);
  let modelConfig: Record<string, unknown>;
  try {
    modelConfig = JSON.parse(configText);
  } catch (cause) {
    throw new OmnipruneError('E_CORRUPT_FILE', `${file}: the model_config attribute is not valid JSON (${(cause as Error).message})`, {
      cause,
      hint: 'save the model again',
    });
  }
  const weightsGroup = childGroup(h5, 'model_weights');
  if (!weightsGroup) {
    throw new OmnipruneError('E_CORRUPT_FILE', `${file} has a model_config but no model_weights group`, {
      hint: 'save the whole model with model.save("m.h5")',
    });
  }
  const kerasVersion = stringAttr(h5, 'keras_version') ?? stringAttr(weightsGroup, 'keras_version');
  const backend = stringAttr(h5, 'backend') ?? stringAttr(weightsGroup, 'backend');
  const nested = nestedModelNames(modelConfig);
  const weights = new WeightCollector();
  const notes: string[] = [];
  for (const layer of stringListAttr(weightsGroup, 'layer_names') ?? weightsGroup.keys()) {
    const group = childGroup(weightsGroup, layer);
    if (!group)
      throw new OmnipruneError('E_CORRUPT_FILE', `${file}: model_weights lists layer "${layer}" but has no group for it`, { hint: 'save the model again' });
    addLayerWeights(group, layer, nested.has(layer), weights, file);
  }
  const topLevel = childGroup(weightsGroup, 'top_level_model_weights');
  if (topLevel && (stringListAttr(topLevel, 'weight_names') ?? []).length > 0) {
    notes.push(`${file}: weights the model itself owns (top_level_model_weights) are not read`);
  }
  return {
    modelTopology: { keras_version: kerasVersion, backend, model_config: modelConfig },
    weightSpecs: weights.specs,
    weightData: weights.data(),
    kerasVersion,
    backend,
    notes,
  };
}

function addLayerWeights(group: Group, layer: string, isNestedModel: boolean, weights: WeightCollector, file: string): void {
  for (const savedName of stringListAttr(group, 'weight_names') ?? []) {
    const dataset = group.get(savedName);
    if (!(dataset instanceof Dataset)) {
      throw new OmnipruneError('E_CORRUPT_FILE', `${file}: weight "${savedName}" of layer "${layer}" is missing`, {
        hint: 'the file is damaged; save the model again',
      });
    }
    const { shape, values } = readFloat32(dataset, `${file}: weight ${layer}/${savedName}`);
    const name = savedName.replace(/:\d+$/, '');
    // As tensorflowjs_converter names it; a weight saved under another prefix (a renamed layer, Keras 3's
    // `sequential/conv2d/kernel`) is named after its group, which is the layer.
    const own = isNestedModel || name.startsWith(`${layer}/`);
    weights.add(own ? name : `${layer}/${name.split('/').pop()}`, shape, values);
  }
}

/** Names of the top-level layers that are models themselves (their weight groups hold several layers). */
function nestedModelNames(modelConfig: Record<string, unknown>): Set<string> {
  const config = modelConfig.config as unknown;
  const layers = (Array.isArray(config) ? config : (config as { layers?: unknown[] } | undefined)?.layers) ?? [];
  const names = new Set<string>();
  for (const entry of layers as { class_name?: string; name?: string; config?: { name?: string } }[]) {
    if (entry?.class_name && MODEL_CLASSES.has(entry.class_name)) names.add(entry.name ?? entry.config?.name ?? '');
  }
  return names;
}

function noModelConfig(h5: H5File, file: string): OmnipruneError {
  const weightsOnly = stringListAttr(h5, 'layer_names') !== undefined || h5.keys().includes('model_weights');
  if (weightsOnly) {
    return new OmnipruneError(
      'E_BAD_INPUT',
      `${file}: this .h5 holds weights only (model.save_weights); save the whole model with model.save('m.h5') or pass its model.json`,
      {
        hint: 'in Python: build the model, model.load_weights("weights.h5"), then model.save("m.h5") (Keras 2) or model.save("m.keras") (Keras 3)',
      },
    );
  }
  return new OmnipruneError('E_CORRUPT_FILE', `${file} is an HDF5 file but not a Keras model (it has no model_config attribute)`, {
    hint: 'pass a file written by Keras model.save("m.h5"), a .keras file, or a TF.js model.json',
  });
}
