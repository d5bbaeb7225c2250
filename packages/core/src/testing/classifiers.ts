import * as tfl from '@tensorflow/tfjs-layers';

type S = tfl.SymbolicTensor;
const glorot = (seed: number) => tfl.initializers.glorotUniform({ seed });

/** Options of {@link mlpClassifier}. */
export interface MlpClassifierOptions {
  /** Input shape `[height, width, channels]`. Default `[4, 4, 1]`. */
  readonly shape?: readonly [number, number, number];
  /** Number of classes. Default 3. */
  readonly classes?: number;
  /** Width of the hidden layer. Default 16. */
  readonly hidden?: number;
  /** Seed of the hidden layer's glorot initialiser; `logits` uses `seed + 1`. Default 3. */
  readonly seed?: number;
  /** L2 weight decay on both kernels. Default none. */
  readonly kernelL2?: number;
}

/**
 * A trainable classifier: flatten -> dense (`hidden`, relu) -> dense `logits` -> softmax activation `probs`, seeded
 * glorot initialisers, so the same options give the same weights. Core finds its logits (the `logits` layer).
 * @example
 * const model = mlpClassifier({ shape: [4, 4, 1], classes: 3, hidden: 8, seed: 5 });
 */
export function mlpClassifier(options: MlpClassifierOptions = {}): tfl.LayersModel {
  const { shape = [4, 4, 1], classes = 3, hidden = 16, seed = 3, kernelL2 } = options;
  const kernelRegularizer = kernelL2 === undefined ? undefined : tfl.regularizers.l2({ l2: kernelL2 });
  const input = tfl.input({ shape: [...shape] });
  let x = tfl.layers.flatten().apply(input) as S;
  x = tfl.layers.dense({ units: hidden, activation: 'relu', kernelInitializer: glorot(seed), kernelRegularizer }).apply(x) as S;
  x = tfl.layers.dense({ units: classes, name: 'logits', kernelInitializer: glorot(seed + 1), kernelRegularizer }).apply(x) as S;
  const probs = tfl.layers.activation({ activation: 'softmax', name: 'probs' }).apply(x) as S;
  return tfl.model({ inputs: input, outputs: probs });
}

/**
 * A trainable conv classifier on 4x4x1: conv (4, 3x3, no bias) -> BN `bn` -> relu -> flatten -> dense `logits` ->
 * softmax activation `probs`, seeded glorot initialisers (`seed`, default 5; `logits` `seed + 1`); `classes` default 3.
 * @example
 * const model = convBnClassifier({ seed: 7 }); // BN moving statistics change when it trains
 */
export function convBnClassifier(options: { readonly seed?: number; readonly classes?: number } = {}): tfl.LayersModel {
  const { seed = 5, classes = 3 } = options;
  const input = tfl.input({ shape: [4, 4, 1] });
  let x = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: glorot(seed) }).apply(input) as S;
  x = tfl.layers.batchNormalization({ name: 'bn' }).apply(x) as S;
  x = tfl.layers.activation({ activation: 'relu' }).apply(x) as S;
  x = tfl.layers.flatten().apply(x) as S;
  x = tfl.layers.dense({ units: classes, name: 'logits', kernelInitializer: glorot(seed + 1) }).apply(x) as S;
  const probs = tfl.layers.activation({ activation: 'softmax', name: 'probs' }).apply(x) as S;
  return tfl.model({ inputs: input, outputs: probs });
}
