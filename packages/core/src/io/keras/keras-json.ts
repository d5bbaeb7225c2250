/** Plain JSON object of a Keras config. */
export type JsonObject = Record<string, unknown>;

/** One inbound reference in Keras 2 form: `[layerName, nodeIndex, tensorIndex, kwargs]`. */
export type TensorRef = [string, number, number, JsonObject];

/** One layer entry of a Keras model config (`layers[i]`). */
export interface LayerEntry {
  class_name: string;
  config: JsonObject;
  name?: string;
  inbound_nodes?: unknown[];
  [key: string]: unknown;
}

/** A functional model config after normalisation. */
export interface FunctionalConfig {
  name: string;
  layers: LayerEntry[];
  input_layers: [string, number, number][];
  output_layers: [string, number, number][];
  [key: string]: unknown;
}

/** Class names of Keras/TF.js models that can appear as a whole topology or as a layer. */
export const MODEL_CLASSES: ReadonlySet<string> = new Set(['Sequential', 'Functional', 'Model']);

/** True for a non-null, non-array object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `value` looks like a layer entry (`{class_name, config}`). */
export function isLayerEntry(value: unknown): value is LayerEntry {
  return isObject(value) && typeof value.class_name === 'string' && isObject(value.config);
}

/** The name of a layer entry (`name`, else `config.name`). */
export function layerName(entry: LayerEntry): string {
  const name = entry.name ?? entry.config.name;
  return typeof name === 'string' ? name : '';
}

/** True when a layer entry is itself a model (a nested Sequential or functional model). */
export function isModelEntry(entry: LayerEntry): boolean {
  return MODEL_CLASSES.has(entry.class_name) && (Array.isArray(entry.config.layers) || Array.isArray(entry.config));
}

/**
 * Keras' `naming.to_snake_case` of a class name, as Keras 3 uses it for weight paths: `Conv2D` -> `conv2d`,
 * `BatchNormalization` -> `batch_normalization`, `GlobalAveragePooling2D` -> `global_average_pooling2d`.
 */
export function toSnakeCase(className: string): string {
  return className
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** Deep copy of JSON data. */
export function cloneJson<T>(value: T): T {
  return structuredClone(value);
}
