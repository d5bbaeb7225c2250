import type * as tfl from '@tensorflow/tfjs-layers';
import type { LayerCost as ApiLayerCost, ModelCost as ApiModelCost } from '@omniprune/plugin-api';
import { NO_MACS, type FlopsSplit } from '../graph/layer-adapter-types.js';
import { adapterFor } from '../graph/layer-adapters.js';
import { weightShortName } from '../graph/weight-transfer.js';

/** FLOPs and parameters of one layer: the plugin API's `LayerCost` and the MAC split core predicts FLOPs with. */
export interface LayerCost extends ApiLayerCost {
  /** The same MACs split by how they shrink with kept input and output channels (predicts FLOPs after pruning). */
  readonly flopsSplit: FlopsSplit;
}

/** FLOPs and parameters of a model (the plugin API's `ModelCost`, with core's per-layer costs). */
export interface ModelCost extends ApiModelCost {
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

function weightShapes(layer: tfl.layers.Layer): Record<string, number[]> {
  return Object.fromEntries(layer.weights.map((w) => [weightShortName(layer.name, w), w.shape as number[]]));
}

/**
 * MACs of one layer per sample, split by how they shrink when channels are removed, from the layer table's
 * `macs`; zero for classes the table does not know or whose MACs the convention does not count.
 * @example
 * layerFlopsSplit(model.getLayer('fc')) // { inOut: 1024, inOnly: 0 }
 */
export function layerFlopsSplit(layer: tfl.layers.Layer): FlopsSplit {
  const config = layer.getConfig() as Record<string, unknown>;
  const macs = adapterFor(layer.getClassName(), config)?.macs;
  if (!macs || macs === NO_MACS) return { inOut: 0, inOnly: 0 };
  return macs({ inShape: inputShape(layer), outShape: outputShape(layer), config, weights: weightShapes(layer) });
}

/**
 * MACs of one layer per sample; 0 for layers that do no multiply-accumulates in the convention.
 * @example
 * layerFlops(model.getLayer('fc')) // 1024
 */
export function layerFlops(layer: tfl.layers.Layer): number {
  const split = layerFlopsSplit(layer);
  return split.inOut + split.inOnly;
}

/**
 * FLOPs (MACs of conv, dense and attention layers) and parameters of any built Layers model.
 * @example
 * countCost(resnet({ depth: 56, inputShape: [32, 32, 3], classes: 10 })).flops // ~125.75e6
 */
export function countCost(model: tfl.LayersModel): ModelCost {
  const layers = model.layers.map((layer): LayerCost => {
    const flopsSplit = layerFlopsSplit(layer);
    return {
      name: layer.name,
      className: layer.getClassName(),
      outputShape: outputShape(layer),
      flops: flopsSplit.inOut + flopsSplit.inOnly,
      flopsSplit,
      params: layer.countParams(),
    };
  });
  const trainableParams = model.trainableWeights.reduce((s, w) => s + prod(w.shape as number[]), 0);
  return {
    flops: layers.reduce((s, l) => s + l.flops, 0),
    params: layers.reduce((s, l) => s + l.params, 0),
    trainableParams,
    layers,
  };
}
