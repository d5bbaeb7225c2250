import type * as tfl from '@tensorflow/tfjs-layers';

/** FLOPs and parameters of one layer. */
export interface LayerCost {
  readonly name: string;
  readonly className: string;
  /** Output shape without the batch axis. */
  readonly outputShape: readonly number[];
  /** Multiply-accumulates of one forward pass on one sample. */
  readonly flops: number;
  /** Trainable + non-trainable parameters. */
  readonly params: number;
}

/** FLOPs and parameters of a model. */
export interface ModelCost {
  /** Multiply-accumulates of conv, dense and attention layers, one sample (the pruning literature's "FLOPs"). */
  readonly flops: number;
  /** All parameters, including batch-norm statistics. */
  readonly params: number;
  /** Trainable parameters only. */
  readonly trainableParams: number;
  readonly layers: readonly LayerCost[];
}

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

function outputShape(layer: tfl.layers.Layer): number[] {
  const s = layer.outputShape as unknown[];
  const single = (Array.isArray(s[0]) ? s[0] : s) as (number | null)[];
  return single.slice(1).map((d) => d ?? 1);
}

function inputShape(layer: tfl.layers.Layer): number[] {
  const input = layer.input as { shape: (number | null)[] } | { shape: (number | null)[] }[];
  const first = Array.isArray(input) ? input[0] : input;
  return first.shape.slice(1).map((d) => d ?? 1);
}

/** MACs of one layer per sample; 0 for layers that do no multiply-accumulates in the convention. */
export function layerFlops(layer: tfl.layers.Layer): number {
  const cls = layer.getClassName();
  const config = layer.getConfig() as Record<string, unknown>;
  const out = outputShape(layer);
  if (cls === 'InputLayer') return 0;
  const input = inputShape(layer);
  const cin = input[input.length - 1];
  const cout = out[out.length - 1];
  const kernel = (config.kernelSize ?? [1]) as number[];
  switch (cls) {
    case 'Conv2D':
    case 'Conv1D':
    case 'Conv2DTranspose':
      return prod(out.slice(0, -1)) * prod(kernel) * cin * cout;
    case 'DepthwiseConv2D':
      return prod(out.slice(0, -1)) * prod(kernel) * cout;
    case 'SeparableConv2D':
      return prod(out.slice(0, -1)) * (prod(kernel) * cin + cin * cout);
    case 'Dense':
      return prod(input.slice(0, -1)) * cin * cout;
    case 'MultiHeadSelfAttention': {
      const tokens = input[0];
      const inner = (config.numHeads as number) * (config.headDim as number);
      return tokens * cin * inner * 3 + tokens * inner * cout + 2 * tokens * tokens * inner;
    }
    default:
      return 0;
  }
}

/**
 * FLOPs (MACs of conv, dense and attention layers) and parameters of any built Layers model.
 * @example
 * countCost(resnet({ depth: 56, inputShape: [32, 32, 3], classes: 10 })).flops // ~125.75e6
 */
export function countCost(model: tfl.LayersModel): ModelCost {
  const layers = model.layers.map((layer): LayerCost => ({
    name: layer.name,
    className: layer.getClassName(),
    outputShape: outputShape(layer),
    flops: layerFlops(layer),
    params: layer.countParams(),
  }));
  const trainableParams = model.trainableWeights.reduce((s, w) => s + prod(w.shape as number[]), 0);
  return {
    flops: layers.reduce((s, l) => s + l.flops, 0),
    params: layers.reduce((s, l) => s + l.params, 0),
    trainableParams,
    layers,
  };
}
