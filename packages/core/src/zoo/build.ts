import type * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { resnet } from './resnet.js';
import { vgg16 } from './vgg.js';
import { vit } from './vit.js';

/** Names accepted by {@link buildZooModel}. */
export const ZOO_MODEL_NAMES = ['resnet20', 'resnet32', 'resnet44', 'resnet56', 'resnet110', 'vgg16', 'vit'] as const;

/** A model name of the zoo. */
export type ZooModelName = (typeof ZOO_MODEL_NAMES)[number];

/** Options of {@link buildZooModel}; each builder reads the ones it knows. */
export interface ZooModelOptions {
  /** Input shape without the batch axis. Default `[32, 32, 3]`. */
  inputShape?: [number, number, number] | readonly number[];
  /** Number of classes. Default 10. */
  classes?: number;
  /** L2 coefficient on kernels. Default 1e-4 (ResNets, VGG-16), 0 (ViT). */
  weightDecay?: number;
  /** Seed of the initialisers; omit for random weights. */
  seed?: number;
  /** VGG-16: width of `fc1` (default 512). */
  hiddenUnits?: number;
  /** VGG-16: BN between `fc1` and its ReLU (default true). */
  classifierBn?: boolean;
  /** ViT: patch side (default 4). */
  patchSize?: number;
  /** ViT: token width (default 64). */
  dim?: number;
  /** ViT only: number of transformer blocks (default 4). ResNet depths come from the name. */
  depth?: number;
  /** ViT: attention heads per block (default 4). */
  numHeads?: number;
  /** ViT: MLP hidden width (default 128). */
  mlpDim?: number;
}

/** True when `name` is one of {@link ZOO_MODEL_NAMES}. */
export function isZooModelName(name: string): name is ZooModelName {
  return (ZOO_MODEL_NAMES as readonly string[]).includes(name);
}

/**
 * Build a zoo model by name: `resnet20|32|44|56|110`, `vgg16` or `vit`.
 * Throws `E_UNKNOWN_PLUGIN` (listing the valid names) for any other name.
 * @example
 * const model = buildZooModel('resnet56', { inputShape: [32, 32, 3], classes: 10, seed: 1 });
 */
export function buildZooModel(name: string, opts: ZooModelOptions = {}): tfl.LayersModel {
  if (!isZooModelName(name)) {
    throw new OmnipruneError('E_UNKNOWN_PLUGIN', `unknown zoo model "${name}"`, {
      plugin: 'zoo',
      hint: `use one of: ${ZOO_MODEL_NAMES.join(', ')}`,
    });
  }
  const inputShape = opts.inputShape ?? [32, 32, 3];
  const classes = opts.classes ?? 10;
  const common = { inputShape, classes, weightDecay: opts.weightDecay, seed: opts.seed };
  if (name === 'vgg16') return vgg16({ ...common, hiddenUnits: opts.hiddenUnits, classifierBn: opts.classifierBn });
  if (name === 'vit') {
    return vit({ ...common, patchSize: opts.patchSize, dim: opts.dim, depth: opts.depth, numHeads: opts.numHeads, mlpDim: opts.mlpDim });
  }
  return resnet({ ...common, depth: Number(name.slice('resnet'.length)) });
}
