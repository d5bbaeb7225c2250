import type * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError, readModel } from '@omniprune/core';
import { ZOO_MODEL_NAMES, buildZooModel } from '@omniprune/core/zoo';
import type { LoadedModel } from '@omniprune/plugin-api';
import { builtinContainer } from './plugin-registry.js';
import { parseIntList, parsePositiveInt } from './common-args.js';

/** Flags naming a model: a `model.json` path (positional) or `--zoo NAME` with its shape. */
export const modelArgs = {
  model: { type: 'positional', required: false, description: 'Model file: model.json (or its directory), Keras .h5/.keras, or ONNX .onnx' },
  zoo: { type: 'string', description: `Build a zoo model instead: ${ZOO_MODEL_NAMES.join(', ')}` },
  'input-shape': { type: 'string', description: 'Input shape for --zoo, HxWxC as H,W,C (default: 32,32,3)' },
  classes: { type: 'string', description: 'Number of classes for --zoo (default: 10)' },
  seed: { type: 'string', description: 'Seed for zoo weight initialisation (default: 1)' },
} as const;

/** Parsed model flags. */
export interface ModelFlags {
  model?: string;
  zoo?: string;
  'input-shape'?: string;
  classes?: string;
  seed?: string;
}

/** A model named by the flags, with a description of where it came from and, for files, what the reader did. */
export interface FlaggedModel {
  readonly model: tfl.LayersModel;
  readonly source: string;
  /** The file's reading (format, origin, notes, metadata); undefined for --zoo. */
  readonly loaded?: LoadedModel;
}

/** Load the model named by the flags (any registered model format); returns it with a description of where it came from. */
export async function modelFromFlags(flags: ModelFlags): Promise<FlaggedModel> {
  if (flags.zoo && flags.model) throw new OmnipruneError('E_BAD_INPUT', 'give either a model path or --zoo, not both');
  if (flags.zoo) {
    const inputShape = parseIntList('input-shape', flags['input-shape'] ?? '32,32,3');
    if (inputShape.length !== 3) throw new OmnipruneError('E_BAD_INPUT', `--input-shape needs 3 numbers (H,W,C), got ${inputShape.length}`);
    const classes = parsePositiveInt('classes', flags.classes, 10);
    const seed = parsePositiveInt('seed', flags.seed, 1);
    const model = buildZooModel(flags.zoo, { inputShape: inputShape as [number, number, number], classes, seed });
    return { model, source: `zoo:${flags.zoo} ${inputShape.join('x')} ${classes} classes` };
  }
  if (!flags.model) throw new OmnipruneError('E_BAD_INPUT', 'no model given', { hint: 'pass a model.json path or --zoo NAME' });
  const loaded = await readModel(flags.model, builtinContainer());
  return { model: loaded.model, source: `${flags.model} (${loaded.origin.format})`, loaded };
}
