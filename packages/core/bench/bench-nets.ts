/**
 * The networks `pnpm bench` can measure (`--nets`): how to build each in TF.js from the zoo and which PyTorch
 * reference script (with which arguments) defines the same network.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildZooModel } from '../src/zoo/index.js';

/** One benchmarked network. */
export interface BenchNet {
  /** Name on the command line and in the table: `resnet20`, `resnet56`, `vit`. */
  name: string;
  /** Input shape without the batch axis, `[height, width, channels]`. */
  inputShape: [number, number, number];
  /** Shape and configuration, for the log. */
  description: string;
  /** Build the zoo model (seed 1) on the current backend. */
  build(): tfl.LayersModel;
  /** PyTorch reference: script in this folder and its network arguments. */
  torch: { script: string; args: string[] };
}

/**
 * The bench's ViT: representative of the zoo's default (dim 64, 4 pre-norm blocks of 4 heads, MLP 128) but cheap,
 * on Fashion-MNIST-shaped input (28x28x1) with 7x7 patches, i.e. 16 tokens.
 */
export const BENCH_VIT = { inputShape: [28, 28, 1] as [number, number, number], classes: 10, patchSize: 7, dim: 64, depth: 4, numHeads: 4, mlpDim: 128 };

/**
 * The network called `name`: `resnet20|32|44|56|110` (the zoo's CIFAR ResNets, 32x32x3) or `vit` ({@link BENCH_VIT}).
 * @example
 * benchNet('vit').build().countParams() // 138890
 */
export function benchNet(name: string): BenchNet {
  const resnet = /^resnet(20|32|44|56|110)$/.exec(name);
  if (resnet) {
    const depth = Number(resnet[1]);
    return {
      name,
      inputShape: [32, 32, 3],
      description: `CIFAR ResNet-${depth}, 32x32x3`,
      build: () => buildZooModel(name, { inputShape: [32, 32, 3], classes: 10, seed: 1 }),
      torch: { script: 'torch_resnet.py', args: ['--depth', String(depth)] },
    };
  }
  if (name === 'vit') {
    const v = BENCH_VIT;
    const [size, , channels] = v.inputShape;
    return {
      name,
      inputShape: v.inputShape,
      description: `ViT, ${v.inputShape.join('x')}, patch ${v.patchSize}, dim ${v.dim}, depth ${v.depth}, ${v.numHeads} heads, MLP ${v.mlpDim}`,
      build: () => buildZooModel('vit', { ...v, seed: 1 }),
      torch: {
        script: 'torch_vit.py',
        args: [
          ...['--size', String(size), '--channels', String(channels), '--classes', String(v.classes), '--patch', String(v.patchSize)],
          ...['--dim', String(v.dim), '--depth', String(v.depth), '--heads', String(v.numHeads), '--mlp-dim', String(v.mlpDim)],
        ],
      },
    };
  }
  throw new Error(`unknown network "${name}" in --nets; use resnet20, resnet32, resnet44, resnet56, resnet110 or vit, comma-separated`);
}
