import * as tfl from '@tensorflow/tfjs-layers';
import { BN_MOMENTUM, activation, checkInputShape, checkPositiveInt, checkSeed, checkWeightDecay, convBn, heNormal, l2, type Sym } from './common.js';

/** Options of {@link vgg16}. */
export interface Vgg16Options {
  /** Input shape without the batch axis, `[height, width, channels]`, e.g. `[32, 32, 3]`. */
  inputShape: [number, number, number] | readonly number[];
  /** Number of classes of the output. */
  classes: number;
  /** Width of the hidden dense layer `fc1`. Default 512. */
  hiddenUnits?: number;
  /** Batch normalisation between `fc1` and its ReLU, as in HRank's `vgg_16_bn`. Default true. */
  classifierBn?: boolean;
  /** L2 coefficient on conv and dense kernels; 0 disables it. Default 1e-4. */
  weightDecay?: number;
  /** Seed of the initialisers; omit for random weights. Same seed, same weights. */
  seed?: number;
}

/**
 * Conv widths of VGG-16 with `'M'` where a 2x2 pooling follows (the last one is an average pooling, see {@link vgg16}).
 */
export const VGG16_CONFIG: readonly (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];

/**
 * VGG-16 for CIFAR-sized inputs, the variant of network slimming (Liu et al. 2017) and HRank (Lin et al. 2020):
 * 13 conv3x3 -> BN -> ReLU blocks with widths 64,64,M,128,128,M,256x3,M,512x3,M,512x3,M, where the first four `M`
 * are 2x2 max poolings and the last one a 2x2 average pooling (HRank's `nn.AvgPool2d(2)`; 2x2 -> 1x1 on 32x32
 * inputs); then `flatten` -> `fc1` (dense 512) -> `fc1_bn` -> `fc1_relu` -> `logits` (dense, linear) -> `probs`
 * (softmax). Convs have no bias (BN follows); `fc1` has a bias only when `classifierBn` is false.
 * Poolings use 'same' padding, so 28x28 inputs work too (28 -> 14 -> 7 -> 4 -> 2 -> 1).
 *
 * Layer names (block index i = 0..12): `b{i}_conv`, `b{i}_bn`, `b{i}_relu`, and `b{i}_pool` after blocks 1, 3, 6, 9
 * and 12; then `flatten`, `fc1`, `fc1_bn`, `fc1_relu`, `logits`, `probs`. The input layer is `input`.
 *
 * On 32x32x3 inputs with 10 classes: 313.46 M MACs (313.20 M conv + 0.27 M dense) and ~14.99 M parameters.
 * @example
 * const model = vgg16({ inputShape: [32, 32, 3], classes: 10, seed: 1 });
 * model.getLayer('b12_conv'); // the 13th conv layer
 */
export function vgg16(options: Vgg16Options): tfl.LayersModel {
  const inputShape = checkInputShape('vgg16', options.inputShape);
  const classes = checkPositiveInt('vgg16', 'classes', options.classes);
  const hiddenUnits = checkPositiveInt('vgg16', 'hiddenUnits', options.hiddenUnits ?? 512);
  const classifierBn = options.classifierBn ?? true;
  const regularizer = l2(checkWeightDecay('vgg16', options.weightDecay, 1e-4));
  const seed = checkSeed('vgg16', options.seed);

  const input = tfl.input({ shape: inputShape, name: 'input' });
  let x: Sym = input;
  let block = -1;
  const pools = VGG16_CONFIG.filter((c) => c === 'M').length;
  let poolIndex = 0;
  for (const entry of VGG16_CONFIG) {
    if (entry === 'M') {
      poolIndex++;
      const args = { name: `b${block}_pool`, poolSize: 2, strides: 2, padding: 'same' as const };
      x = (poolIndex === pools ? tfl.layers.averagePooling2d(args) : tfl.layers.maxPooling2d(args)).apply(x) as Sym;
      continue;
    }
    block++;
    x = convBn(x, { filters: entry, kernelSize: 3, strides: 1, conv: `b${block}_conv`, bn: `b${block}_bn`, seed, regularizer });
    x = activation(x, `b${block}_relu`, 'relu');
  }
  x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as Sym;
  x = tfl.layers
    .dense({
      name: 'fc1',
      units: hiddenUnits,
      useBias: !classifierBn,
      kernelInitializer: heNormal(seed, 'fc1'),
      kernelRegularizer: regularizer,
    })
    .apply(x) as Sym;
  if (classifierBn) x = tfl.layers.batchNormalization({ name: 'fc1_bn', axis: -1, momentum: BN_MOMENTUM }).apply(x) as Sym;
  x = activation(x, 'fc1_relu', 'relu');
  const logits = tfl.layers
    .dense({
      name: 'logits',
      units: classes,
      activation: 'linear',
      kernelInitializer: heNormal(seed, 'logits'),
      kernelRegularizer: regularizer,
    })
    .apply(x) as Sym;
  const probs = activation(logits, 'probs', 'softmax');
  return tfl.model({ inputs: input, outputs: probs, name: 'vgg16' });
}
