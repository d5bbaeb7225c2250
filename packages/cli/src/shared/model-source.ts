import type * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError, ZOO_MODEL_NAMES, buildZooModel, loadModel } from '@omniprune/core';
import { parseIntList, parsePositiveInt } from './common-args.js';

/** Flags naming a model: a `model.json` path (positional) or `--zoo NAME` with its shape. */
export const modelArgs = {
  model: { type: 'positional', required: false, description: 'Path to a model.json (or its directory)' },
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

/** Load the model named by the flags; returns it with a description of where it came from. */
export async function modelFromFlags(flags: ModelFlags): Promise<{ model: tfl.LayersModel; source: string }> {
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
  return { model: await loadModel(flags.model), source: flags.model };
}
