import * as tfl from '@tensorflow/tfjs-layers';
import {
  activation,
  badOption,
  checkInputShape,
  checkPositiveInt,
  checkSeed,
  checkWeightDecay,
  convBn,
  heNormal,
  l2,
  type Regularizer,
  type Sym,
} from './common.js';

/** Options of {@link resnet}. */
export interface ResNetOptions {
  /** Depth 6n+2: 20, 32, 44, 56, 110, ... (n basic blocks per stage). */
  depth: number;
  /** Input shape without the batch axis, `[height, width, channels]`, e.g. `[32, 32, 3]`. */
  inputShape: [number, number, number] | readonly number[];
  /** Number of classes of the output. */
  classes: number;
  /** L2 coefficient on conv and dense kernels; 0 disables it. Default 1e-4. */
  weightDecay?: number;
  /** Seed of the initialisers; omit for random weights. Same seed, same weights. */
  seed?: number;
}

/** Widths of the three stages of a CIFAR ResNet. */
export const RESNET_STAGE_WIDTHS = [16, 32, 64] as const;

interface BlockContext {
  seed: number | undefined;
  regularizer: Regularizer | undefined;
}

/**
 * One basic block `s{stage}_b{block}`: conv3x3 -> BN -> ReLU -> conv3x3 -> BN -> Add(shortcut) -> ReLU.
 * The shortcut is the identity, or a 1x1 conv (stride `strides`) + BN projection when the shape changes.
 */
function basicBlock(x: Sym, width: number, strides: number, prefix: string, ctx: BlockContext): Sym {
  const common = { seed: ctx.seed, regularizer: ctx.regularizer };
  let y = convBn(x, { ...common, filters: width, kernelSize: 3, strides, conv: `${prefix}_conv1`, bn: `${prefix}_bn1` });
  y = activation(y, `${prefix}_relu1`, 'relu');
  y = convBn(y, { ...common, filters: width, kernelSize: 3, strides: 1, conv: `${prefix}_conv2`, bn: `${prefix}_bn2` });
  const inChannels = x.shape[x.shape.length - 1];
  const shortcut =
    strides !== 1 || inChannels !== width
      ? convBn(x, { ...common, filters: width, kernelSize: 1, strides, conv: `${prefix}_proj_conv`, bn: `${prefix}_proj_bn` })
      : x;
  const sum = tfl.layers.add({ name: `${prefix}_add` }).apply([shortcut, y]) as Sym;
  return activation(sum, `${prefix}_out`, 'relu');
}

/**
 * A CIFAR ResNet (He et al. 2016, section 4.2; the Keras `resnet_v1` layout) as a functional Layers model.
 *
 * Layout: `stem_conv` (3x3, 16) -> `stem_bn` -> `stem_relu`; stages `s1`..`s3` of n = (depth-2)/6 basic blocks with
 * widths 16/32/64; the first block of `s2` and `s3` downsamples with stride 2 and has a 1x1 conv + BN projection
 * shortcut (`s{k}_b0_proj_conv`, `s{k}_b0_proj_bn`); then `gap` (global average pooling) -> `logits` (dense, linear)
 * -> `probs` (softmax). Convs have no bias; conv and dense kernels are He-normal with an L2 regulariser.
 *
 * Block layer names: `s{stage}_b{block}_conv1`, `_bn1`, `_relu1`, `_conv2`, `_bn2`, `[_proj_conv, _proj_bn]`, `_add`,
 * `_out` (stage 1-based, block 0-based). The input layer is `input`; the model is named `resnet{depth}`.
 *
 * On 32x32x3 inputs with 10 classes: ResNet-56 has 125.75 M MACs and 0.86 M parameters, ResNet-110 253.15 M / 1.74 M.
 * @example
 * const model = resnet({ depth: 56, inputShape: [32, 32, 3], classes: 10, seed: 1 });
 * model.getLayer('s2_b0_proj_conv'); // the 1x1 projection of the first downsampling block
 */
export function resnet(options: ResNetOptions): tfl.LayersModel {
  const depth = checkPositiveInt('resnet', 'depth', options.depth);
  if (depth < 8 || (depth - 2) % 6 !== 0) {
    badOption('resnet', `depth must be 6n+2 (20, 32, 44, 56, 110, ...), got ${depth}`, 'CIFAR ResNets have 3 stages of n basic blocks: depth = 6n + 2');
  }
  const inputShape = checkInputShape('resnet', options.inputShape);
  const classes = checkPositiveInt('resnet', 'classes', options.classes);
  const regularizer = l2(checkWeightDecay('resnet', options.weightDecay, 1e-4));
  const seed = checkSeed('resnet', options.seed);
  const ctx: BlockContext = { seed, regularizer };
  const blocksPerStage = (depth - 2) / 6;

  const input = tfl.input({ shape: inputShape, name: 'input' });
  let x = convBn(input, { ...ctx, filters: RESNET_STAGE_WIDTHS[0], kernelSize: 3, strides: 1, conv: 'stem_conv', bn: 'stem_bn' });
  x = activation(x, 'stem_relu', 'relu');
  RESNET_STAGE_WIDTHS.forEach((width, s) => {
    for (let b = 0; b < blocksPerStage; b++) {
      const strides = s > 0 && b === 0 ? 2 : 1;
      x = basicBlock(x, width, strides, `s${s + 1}_b${b}`, ctx);
    }
  });
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as Sym;
  const logits = tfl.layers
    .dense({
      name: 'logits',
      units: classes,
      activation: 'linear',
      kernelInitializer: heNormal(seed, 'logits'),
      kernelRegularizer: regularizer,
    })
    .apply(pooled) as Sym;
  const probs = activation(logits, 'probs', 'softmax');
  return tfl.model({ inputs: input, outputs: probs, name: `resnet${depth}` });
}
