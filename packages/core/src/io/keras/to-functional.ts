import { OmnipruneError } from '../../errors/omniprune-error.js';
import { flattenNestedModels, type FlattenResult } from './flatten-nested.js';
import { isLayerEntry, isModelEntry, isObject, layerName, type FunctionalConfig, type JsonObject, type LayerEntry } from './keras-json.js';
import { toKeras2Nodes, toRefList, type NodeCounts } from './keras3-nodes.js';
import { fixLayerConfig, type LayerConfigCounts } from './layer-configs.js';

/** Shared state of one conversion: counters and notes. */
export interface ConvertContext {
  readonly nodes: NodeCounts;
  readonly layers: LayerConfigCounts;
  readonly notes: string[];
  readonly flatten: FlattenResult;
}

/** Keys that give a Sequential model's input shape when it has no InputLayer, in the order they are tried. */
const SHAPE_KEYS = ['batch_input_shape', 'batch_shape'] as const;

/**
 * Turn a model entry (`{class_name: 'Sequential' | 'Functional' | 'Model', config}`) into a functional config
 * with Keras 2 inbound nodes, every layer config readable by TF.js, and nested models flattened where possible.
 * Mutates the layer entries it is given (callers pass a copy).
 */
export function toFunctional(model: LayerEntry, ctx: ConvertContext, nested = false): FunctionalConfig {
  const functional = model.class_name === 'Sequential' ? sequentialToFunctional(model, ctx, nested) : functionalConfig(model, ctx);
  flattenNestedModels(functional, ctx.flatten, ctx.notes);
  return functional;
}

function functionalConfig(model: LayerEntry, ctx: ConvertContext): FunctionalConfig {
  const config = model.config;
  const name = String(config.name ?? 'model');
  if (!Array.isArray(config.layers)) {
    throw new OmnipruneError('E_CORRUPT_FILE', `model "${name}" (${model.class_name}) has no layer list`, { hint: 're-export the model' });
  }
  const layers = config.layers.map((entry, i) => {
    if (!isLayerEntry(entry))
      throw new OmnipruneError('E_CORRUPT_FILE', `layer #${i} of model "${name}" is not a {class_name, config} object`, { hint: 're-export the model' });
    const lname = layerName(entry);
    const nodes = toKeras2Nodes(entry.inbound_nodes, lname, ctx.nodes);
    const converted = convertLayer(entry, ctx);
    return { ...converted, name: lname, inbound_nodes: nodes };
  });
  return {
    ...config,
    name,
    layers,
    input_layers: toRefList(config.input_layers, ctx.nodes),
    output_layers: toRefList(config.output_layers, ctx.nodes),
  };
}

/** A layer made TF.js-readable; a nested model becomes `{class_name: 'Model', config: <functional config>}`. */
function convertLayer(entry: LayerEntry, ctx: ConvertContext): LayerEntry {
  if (!isModelEntry(entry)) {
    fixLayerConfig(entry, ctx.layers);
    return entry;
  }
  const inner = toFunctional(entry, ctx, true);
  const trainable = isObject(entry.config) ? entry.config.trainable : undefined;
  return { class_name: 'Model', config: { ...inner, ...(trainable === false ? { trainable } : {}) }, name: layerName(entry) || inner.name };
}

/** A Sequential model as a functional one; a nested one's conversion is not noted (its flattening or not is). */
function sequentialToFunctional(model: LayerEntry, ctx: ConvertContext, nested: boolean): FunctionalConfig {
  const raw = model.config as unknown;
  const list = Array.isArray(raw) ? raw : (raw as JsonObject).layers;
  const name = String((Array.isArray(raw) ? undefined : (raw as JsonObject).name) ?? 'sequential');
  if (!Array.isArray(list) || list.length === 0) {
    throw new OmnipruneError('E_CORRUPT_FILE', `Sequential model "${name}" has no layers`, { hint: 're-export the model' });
  }
  const entries = list.map((entry, i) => {
    if (!isLayerEntry(entry))
      throw new OmnipruneError('E_CORRUPT_FILE', `layer #${i} of Sequential model "${name}" is not a {class_name, config} object`, {
        hint: 're-export the model',
      });
    return entry;
  });
  const layers: LayerEntry[] = [];
  let input: LayerEntry;
  if (entries[0].class_name === 'InputLayer') {
    input = convertLayer(entries.shift()!, ctx);
  } else {
    input = synthesiseInput(model, entries[0], name, nested ? [] : ctx.notes);
  }
  const inputName = layerName(input) || `${name}_input`;
  input.config.name = inputName;
  layers.push({ ...input, name: inputName, inbound_nodes: [] });
  const taken = new Set([inputName]);
  let previous = inputName;
  for (const entry of entries) {
    const converted = convertLayer(entry, ctx);
    if (!isModelEntry(converted)) for (const key of [...SHAPE_KEYS, 'input_shape', 'batch_size', 'input_dim']) delete converted.config[key];
    const lname = layerName(converted);
    if (!lname || taken.has(lname)) {
      throw new OmnipruneError('E_CORRUPT_FILE', `Sequential model "${name}" has ${lname ? `two layers named "${lname}"` : 'a layer without a name'}`, {
        hint: 're-export the model',
      });
    }
    taken.add(lname);
    layers.push({ ...converted, name: lname, inbound_nodes: [[[previous, 0, 0, {}]]] });
    previous = lname;
  }
  if (!nested) ctx.notes.push(`Sequential model "${name}" read as a functional graph of ${layers.length} layers (${inputName} -> ... -> ${previous})`);
  return { name, layers, input_layers: [[inputName, 0, 0]], output_layers: [[previous, 0, 0]] };
}

/**
 * The InputLayer Keras 2 and TF.js create for a Sequential model whose first layer carries the input shape:
 * named `<first_layer>_input`, with the first layer's batch shape and dtype.
 */
function synthesiseInput(model: LayerEntry, first: LayerEntry, name: string, notes: string[]): LayerEntry {
  const { shape, source } = inputShapeOf(model, first);
  const firstName = layerName(first) || 'layer';
  if (!shape) {
    throw new OmnipruneError(
      'E_UNSUPPORTED_MODEL',
      `Sequential model "${name}" does not say its input shape (its first layer "${firstName}" has no batch_input_shape)`,
      {
        hint: 'give the first layer an input shape (Keras: keras.Input(shape=...) first or input_shape=...; TF.js: inputShape) and save the model again',
      },
    );
  }
  const inputName = `${firstName}_input`;
  const dtype = typeof first.config.dtype === 'string' ? first.config.dtype : 'float32';
  notes.push(`Sequential model "${name}": input layer "${inputName}" added (Keras 2/TF.js naming) with batch shape ${JSON.stringify(shape)} from ${source}`);
  return {
    class_name: 'InputLayer',
    name: inputName,
    config: { batch_input_shape: shape, dtype: dtype === 'float32' || dtype === 'int32' ? dtype : 'float32', sparse: false, name: inputName },
  };
}

function inputShapeOf(model: LayerEntry, first: LayerEntry): { shape?: unknown[]; source: string } {
  const firstName = layerName(first);
  if (isModelEntry(first)) {
    const innerList = Array.isArray(first.config) ? first.config : first.config.layers;
    const innerFirst = Array.isArray(innerList) ? innerList.find(isLayerEntry) : undefined;
    if (innerFirst) return inputShapeOf(first, innerFirst);
  }
  for (const key of SHAPE_KEYS) {
    if (Array.isArray(first.config[key])) return { shape: first.config[key] as unknown[], source: `${firstName}.${key}` };
  }
  if (Array.isArray(first.config.input_shape)) {
    return { shape: [first.config.batch_size ?? null, ...(first.config.input_shape as unknown[])], source: `${firstName}.input_shape` };
  }
  const firstBuild = first.build_config;
  if (isObject(firstBuild) && Array.isArray(firstBuild.input_shape)) return { shape: firstBuild.input_shape, source: `${firstName}.build_config.input_shape` };
  const config = Array.isArray(model.config) ? {} : model.config;
  if (Array.isArray(config.build_input_shape)) return { shape: config.build_input_shape, source: 'the Sequential build_input_shape' };
  const build = model.build_config;
  if (isObject(build) && Array.isArray(build.input_shape)) return { shape: build.input_shape, source: 'the Sequential build_config.input_shape' };
  return { source: '' };
}
