import { isLayerEntry, isModelEntry, layerName, toSnakeCase, type LayerEntry } from './keras-json.js';

/** The layer a Keras 3 weights path belongs to: its name and the names of the models it is nested in. */
export interface SavedLayer {
  readonly layer: string;
  readonly models: readonly string[];
}

/**
 * Where Keras saves each layer's variables in `model.weights.h5` (Keras 3 `saving_lib`): a model's layers live under
 * `layers/<snake_case(class)>[_k]` (`k` counts earlier layers of the same class, in `model.layers` order; a
 * Sequential's own InputLayer is not in `model.layers`), nested models recurse, and a layer's variables are
 * `<path>/vars/<i>` in `trainable + non_trainable` order. tf.keras 2.13 wrote `_layer_checkpoint_dependencies/<name>`
 * instead; both are mapped.
 * @example
 * kerasSavingPaths(sequential).get('layers/conv2d_1') // { layer: 'conv2d_1', models: [] }
 */
export function kerasSavingPaths(model: LayerEntry): Map<string, SavedLayer> {
  const out = new Map<string, SavedLayer>();
  walk(model, '', '', [], out);
  return out;
}

function modelLayers(model: LayerEntry): LayerEntry[] {
  const raw = model.config as unknown;
  const list = (Array.isArray(raw) ? raw : (model.config.layers as unknown[] | undefined)) ?? [];
  const layers = list.filter(isLayerEntry);
  if (model.class_name === 'Sequential' && layers[0]?.class_name === 'InputLayer') return layers.slice(1);
  return layers;
}

function walk(model: LayerEntry, keras3Prefix: string, tfKerasPrefix: string, models: string[], out: Map<string, SavedLayer>): void {
  const used = new Map<string, number>();
  for (const layer of modelLayers(model)) {
    const base = toSnakeCase(layer.class_name);
    const count = used.get(base);
    used.set(base, count === undefined ? 0 : count + 1);
    const key = count === undefined ? base : `${base}_${count + 1}`;
    const name = layerName(layer);
    const keras3Path = `${keras3Prefix}layers/${key}`;
    const tfKerasPath = `${tfKerasPrefix}_layer_checkpoint_dependencies/${name}`;
    if (isModelEntry(layer)) {
      walk(layer, `${keras3Path}/`, `${tfKerasPath}/`, [...models, name], out);
    } else {
      out.set(keras3Path, { layer: name, models });
      out.set(tfKerasPath, { layer: name, models });
    }
  }
}

/** True when a weight name is a Keras 3 saving path (`.../vars/<i>`), as tensorflowjs_converter writes for `.keras` input. */
export function isSavingPath(name: string): boolean {
  return /(^|\/)vars\/\d+$/.test(name);
}
