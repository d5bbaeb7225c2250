import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { PLUGIN_API_VERSION, type PluginDefinition } from './define-plugin.js';

/**
 * Where a model came from and what the user's own code expects of it, so a pruned model can leave in the same
 * format with the same interface. JSON-serialisable: saved with every checkpoint (`userDefinedMetadata.omniprune.origin`).
 */
export interface ModelOrigin {
  /** Format name of the {@link ModelFormat} that read it: `tfjs-layers`, `keras-h5`, `keras`, `onnx`, ... */
  readonly format: string;
  /** The file it was read from. */
  readonly file?: string;
  /** The graph input as the user's code feeds it (ONNX: name, NCHW layout, element type, dims with symbolic batch). */
  readonly input?: { readonly name: string; readonly layout: 'NCHW' | 'NHWC'; readonly dtype: string; readonly dims: readonly (number | string | null)[] };
  /** Graph output names, in order. */
  readonly outputs?: readonly string[];
  /** Format-specific facts (opset, producer, Keras version), JSON values only. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** How to read a classifier's output, when the automatic rule must be overridden (pipeline `model:`). */
export interface ClassifierSpec {
  /** Layer whose output is the logits (the model's output may be anything after it). */
  readonly logitsLayer?: string;
  /** What the model's output is: `logits` or `probabilities`. */
  readonly output?: 'logits' | 'probabilities';
}

/** What omniprune records in a saved model's `userDefinedMetadata.omniprune`. */
export interface OmnipruneModelMetadata {
  /** Per-channel statistics the model's inputs were normalised with (null: unnormalised). */
  normalization?: { mean: number[]; std: number[] } | null;
  /** Where the model first came from (format, input name and layout); see {@link ModelOrigin}. */
  origin?: ModelOrigin;
  /** How its output is read when the automatic rule is overridden. */
  classifier?: ClassifierSpec;
  [key: string]: unknown;
}

/** A model read from a file, with what was changed on the way in. */
export interface LoadedModel {
  readonly model: tfl.LayersModel;
  readonly origin: ModelOrigin;
  /** What the reader changed or assumed, one line each (shown by `inspect` and `run`). */
  readonly notes: readonly string[];
  /** omniprune metadata stored with the model (`{}` for foreign files). */
  readonly metadata: OmnipruneModelMetadata;
}

/** A model file format: reads models into TF.js Layers models and, when it can, writes them back. */
export interface ModelFormat {
  /** Unique, kebab-case, e.g. `onnx`. */
  readonly name: string;
  /** One line for `omniprune plugins list`. */
  readonly description: string;
  /** Lower-case file extensions with the dot, e.g. `['.onnx']`. */
  readonly extensions: readonly string[];
  /** Read a model file (missing, truncated or unsupported input: an `OmnipruneError` naming the file). */
  read(file: string): Promise<LoadedModel>;
  /** File name a run writes its final model under in this format, e.g. `model.onnx`; absent when it cannot write. */
  readonly fileName?: string;
  /** Write `model` to `file` with the interface `origin` describes (input name, layout, ...), atomically. */
  write?(model: tfl.LayersModel, file: string, origin: ModelOrigin): Promise<void>;
}

/** A model format as a plugin (kind `format`): plain data; `create()` returns the format itself. */
export type ModelFormatPlugin = PluginDefinition<'format', z.ZodObject, ModelFormat> & { readonly extensions: readonly string[] };

/**
 * Define a model-format plugin. Register it like any plugin; core's `readModel` picks it by file extension.
 * @example
 * export const onnxFormat = defineModelFormat({ name: 'onnx', description: 'ONNX', extensions: ['.onnx'], read, write, fileName: 'model.onnx' });
 */
export function defineModelFormat(format: ModelFormat): ModelFormatPlugin {
  return Object.freeze({
    apiVersion: PLUGIN_API_VERSION,
    kind: 'format' as const,
    name: format.name,
    description: format.description,
    extensions: format.extensions,
    options: z.object({}),
    create: () => format,
  });
}
