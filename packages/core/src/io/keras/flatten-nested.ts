import { isModelEntry, layerName, type FunctionalConfig, type JsonObject, type LayerEntry, type TensorRef } from './keras-json.js';

/** What flattening did, for renaming weights. */
export interface FlattenResult {
  /** Names of the nested models flattened away (Keras 3 and TF 1 saves prefix their weights with them). */
  readonly models: Set<string>;
  /** `nested/inner` -> new name of an inner layer renamed because the outer graph has a layer of that name. */
  readonly renamed: Map<string, string>;
}

/** An empty {@link FlattenResult}. */
export function newFlattenResult(): FlattenResult {
  return { models: new Set(), renamed: new Map() };
}

/**
 * Replace every nested model of `model` (already converted to functional form, its own nested models flattened)
 * by its layers, wired to the tensors the nested model was called on, in place. Layers keep their names unless
 * the outer graph already has one (then `<nested>_<name>`). Models called more than once, or with layers called
 * more than once, stay nested (TF.js can run them; the graph engine cannot prune inside them).
 * @example
 * flattenNestedModels(functional, newFlattenResult(), notes); // 'sequential' -> its dense, dense_1 layers
 */
export function flattenNestedModels(model: FunctionalConfig, result: FlattenResult, notes: string[]): void {
  for (let i = 0; i < model.layers.length; i++) {
    const entry = model.layers[i];
    if (!isModelEntry(entry)) continue;
    const nestedName = layerName(entry);
    const inner = entry.config as FunctionalConfig;
    const reason = cannotFlatten(entry, inner);
    if (reason) {
      notes.push(`nested model "${nestedName}" kept as one layer: ${reason}; omniprune cannot prune inside it`);
      continue;
    }
    const call = (entry.inbound_nodes as TensorRef[][])[0];
    const callKwargs = Object.assign({}, ...call.map((ref) => ref[3] ?? {})) as JsonObject;
    const inputMap = new Map<string, TensorRef>(inner.input_layers.map(([name], k) => [name, call[k]]));
    const innerLayers = inner.layers.filter((l) => !inputMap.has(layerName(l)));
    const rename = uniqueNames(model, entry, innerLayers, nestedName, result);
    const resolve = (ref: TensorRef): TensorRef => {
      const outer = inputMap.get(ref[0]);
      if (outer) return [outer[0], outer[1], outer[2], { ...(ref[3] ?? {}) }];
      return [rename.get(ref[0]) ?? ref[0], ref[1], ref[2], { ...(ref[3] ?? {}) }];
    };
    for (const layer of innerLayers) {
      const name = rename.get(layerName(layer)) ?? layerName(layer);
      layer.name = name;
      layer.config.name = name;
      layer.inbound_nodes = (layer.inbound_nodes as TensorRef[][]).map((refs) => refs.map((ref) => withCallKwargs(resolve(ref), callKwargs)));
      if (entry.config.trainable === false) layer.config.trainable = false;
    }
    const outputs = inner.output_layers.map(([n, k, t]) => resolve([n, k, t, {}]));
    const redirect = (ref: TensorRef): TensorRef => (ref[0] === nestedName ? [outputs[ref[2]][0], outputs[ref[2]][1], outputs[ref[2]][2], ref[3] ?? {}] : ref);
    for (const layer of model.layers) {
      if (layer !== entry) layer.inbound_nodes = (layer.inbound_nodes as TensorRef[][] | undefined)?.map((refs) => refs.map(redirect));
    }
    model.output_layers = model.output_layers.map((ref) => (ref[0] === nestedName ? [outputs[ref[2]][0], outputs[ref[2]][1], outputs[ref[2]][2]] : ref));
    model.layers.splice(i, 1, ...innerLayers);
    i += innerLayers.length - 1;
    result.models.add(nestedName);
    const renamedNote = rename.size > 0 ? `; renamed to avoid clashes: ${[...rename].map(([a, b]) => `${a} -> ${b}`).join(', ')}` : '';
    const kwargsNote = 'training' in callKwargs ? `; its call's training=${JSON.stringify(callKwargs.training)} now applies to each of its layers` : '';
    notes.push(`nested model "${nestedName}" flattened into "${model.name}": ${innerLayers.length} layers keep their names${renamedNote}${kwargsNote}`);
  }
}

function cannotFlatten(entry: LayerEntry, inner: FunctionalConfig): string | null {
  const calls = entry.inbound_nodes?.length ?? 0;
  if (calls !== 1) return `it is called ${calls} times`;
  const shared = inner.layers.find((l) => (l.inbound_nodes?.length ?? 0) > 1);
  if (shared) return `its layer "${layerName(shared)}" is called ${shared.inbound_nodes!.length} times`;
  const call = (entry.inbound_nodes as TensorRef[][])[0];
  if (call.length !== inner.input_layers.length) return `it takes ${inner.input_layers.length} inputs but is called on ${call.length}`;
  const names = new Set(inner.layers.map(layerName));
  const inputs = new Set(inner.input_layers.map(([n]) => n));
  if ([...inputs].some((n) => !names.has(n) || inner.layers.find((l) => layerName(l) === n)!.class_name !== 'InputLayer')) {
    return 'its inputs are not InputLayers';
  }
  return null;
}

/** New names for inner layers whose name the outer graph already uses. */
function uniqueNames(model: FunctionalConfig, entry: LayerEntry, innerLayers: LayerEntry[], nestedName: string, result: FlattenResult): Map<string, string> {
  const taken = new Set(model.layers.filter((l) => l !== entry).map(layerName));
  const rename = new Map<string, string>();
  for (const layer of innerLayers) {
    const name = layerName(layer);
    if (taken.has(name)) {
      let candidate = `${nestedName}_${name}`;
      for (let k = 1; taken.has(candidate); k++) candidate = `${nestedName}_${name}_${k}`;
      rename.set(name, candidate);
      result.renamed.set(`${nestedName}/${name}`, candidate);
    }
    taken.add(rename.get(name) ?? name);
  }
  return rename;
}

/** `ref` with the nested model call's `training` flag, unless the inner call set its own. */
function withCallKwargs(ref: TensorRef, callKwargs: JsonObject): TensorRef {
  if (!('training' in callKwargs) || 'training' in ref[3]) return ref;
  return [ref[0], ref[1], ref[2], { ...ref[3], training: callKwargs.training }];
}
