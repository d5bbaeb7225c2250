import * as tfl from '@tensorflow/tfjs-layers';
import { activation, badOption, checkInputShape, checkPositiveInt, checkSeed, checkWeightDecay, glorotUniform, l2, type Sym } from './common.js';
import { AddPositionEmbedding } from './layers/add-position-embedding.js';
import { MultiHeadSelfAttention } from './layers/multi-head-self-attention.js';
import { registerZooLayers } from './register.js';

/** Options of {@link vit}. */
export interface VitOptions {
  /** Input shape without the batch axis, `[height, width, channels]`; height and width divisible by `patchSize`. */
  inputShape: [number, number, number] | readonly number[];
  /** Number of classes of the output. */
  classes: number;
  /** Side of the square patches (kernel and stride of `patch_embed`). Default 4 (28x28 -> 7x7 tokens). */
  patchSize?: number;
  /** Token width. Default 64. */
  dim?: number;
  /** Number of transformer blocks. Default 4. */
  depth?: number;
  /** Attention heads per block; must divide `dim` (head width = dim / numHeads). Default 4. */
  numHeads?: number;
  /** Hidden width of each block's MLP. Default 128. */
  mlpDim?: number;
  /** L2 coefficient on the kernels of `patch_embed`, the MLPs and `logits`; 0 (default) disables it. */
  weightDecay?: number;
  /** Seed of the initialisers; omit for random weights. Same seed, same weights. */
  seed?: number;
}

const LN_EPSILON = 1e-6;

/**
 * A small pre-norm Vision Transformer for 28x28 / 32x32 images, as a functional Layers model.
 *
 * Layout: `patch_embed` (Conv2D, kernel = stride = patchSize, `dim` filters) -> `tokens` (Reshape to
 * [tokens, dim]) -> `pos_embed` ({@link AddPositionEmbedding}) -> `depth` blocks
 * `t{i}`: x = `t{i}_add1`(x, `t{i}_attn`(`t{i}_ln1`(x))); x = `t{i}_add2`(x, `t{i}_mlp_fc2`(`t{i}_mlp_fc1`(`t{i}_ln2`(x))))
 * with `t{i}_attn` a {@link MultiHeadSelfAttention} and `t{i}_mlp_fc1` a GELU dense layer; then `final_ln` -> `gap`
 * (GlobalAveragePooling1D over tokens) -> `logits` (dense, linear) -> `probs` (softmax). Blocks are 0-based.
 * Registers the custom layers (see {@link registerZooLayers}).
 * @example
 * const model = vit({ inputShape: [28, 28, 1], classes: 10, seed: 1 }); // 49 tokens of width 64, 4 blocks
 */
export function vit(options: VitOptions): tfl.LayersModel {
  const inputShape = checkInputShape('vit', options.inputShape);
  const classes = checkPositiveInt('vit', 'classes', options.classes);
  const patchSize = checkPositiveInt('vit', 'patchSize', options.patchSize ?? 4);
  const dim = checkPositiveInt('vit', 'dim', options.dim ?? 64);
  const depth = checkPositiveInt('vit', 'depth', options.depth ?? 4);
  const numHeads = checkPositiveInt('vit', 'numHeads', options.numHeads ?? 4);
  const mlpDim = checkPositiveInt('vit', 'mlpDim', options.mlpDim ?? 128);
  const regularizer = l2(checkWeightDecay('vit', options.weightDecay, 0));
  const seed = checkSeed('vit', options.seed);
  const [height, width] = inputShape;
  if (height % patchSize !== 0 || width % patchSize !== 0) {
    badOption('vit', `inputShape ${height}x${width} is not divisible by patchSize ${patchSize}`, 'use patchSize 4 (or 7) for 28x28 inputs, 4 or 8 for 32x32');
  }
  if (dim % numHeads !== 0) {
    badOption('vit', `dim ${dim} is not divisible by numHeads ${numHeads}`, 'choose numHeads dividing dim, e.g. dim 64 with 1, 2, 4 or 8 heads');
  }
  registerZooLayers();
  const tokens = (height / patchSize) * (width / patchSize);
  const dense = (x: Sym, name: string, units: number, fn: 'gelu' | 'linear'): Sym =>
    tfl.layers
      .dense({
        name,
        units,
        activation: fn,
        kernelInitializer: glorotUniform(seed, name),
        kernelRegularizer: regularizer,
      })
      .apply(x) as Sym;
  const layerNorm = (x: Sym, name: string): Sym => tfl.layers.layerNormalization({ name, axis: -1, epsilon: LN_EPSILON }).apply(x) as Sym;

  const input = tfl.input({ shape: inputShape, name: 'input' });
  let x = tfl.layers
    .conv2d({
      name: 'patch_embed',
      filters: dim,
      kernelSize: patchSize,
      strides: patchSize,
      padding: 'valid',
      kernelInitializer: glorotUniform(seed, 'patch_embed'),
      kernelRegularizer: regularizer,
    })
    .apply(input) as Sym;
  x = tfl.layers.reshape({ name: 'tokens', targetShape: [tokens, dim] }).apply(x) as Sym;
  x = new AddPositionEmbedding({ name: 'pos_embed', seed }).apply(x) as Sym;
  for (let i = 0; i < depth; i++) {
    const p = `t${i}`;
    const attn = new MultiHeadSelfAttention({ name: `${p}_attn`, numHeads, headDim: dim / numHeads, seed }).apply(layerNorm(x, `${p}_ln1`)) as Sym;
    x = tfl.layers.add({ name: `${p}_add1` }).apply([x, attn]) as Sym;
    const hidden = dense(layerNorm(x, `${p}_ln2`), `${p}_mlp_fc1`, mlpDim, 'gelu');
    const mlp = dense(hidden, `${p}_mlp_fc2`, dim, 'linear');
    x = tfl.layers.add({ name: `${p}_add2` }).apply([x, mlp]) as Sym;
  }
  x = layerNorm(x, 'final_ln');
  x = tfl.layers.globalAveragePooling1d({ name: 'gap' }).apply(x) as Sym;
  const logits = dense(x, 'logits', classes, 'linear');
  const probs = activation(logits, 'probs', 'softmax');
  return tfl.model({ inputs: input, outputs: probs, name: 'vit' });
}
