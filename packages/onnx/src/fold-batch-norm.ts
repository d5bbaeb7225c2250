import type * as tfl from '@tensorflow/tfjs-layers';
import { weightShortName, type ModelJson } from '@omniprune/core/graph';

/** A batch norm folded into its producer: `y = x * scale + shift` per output channel. */
export interface FoldedNorm {
  readonly scale: Float32Array;
  readonly shift: Float32Array;
}

/** Producers a following batch norm can be folded into (their output channels are the last weight axis). */
const FOLDABLE = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense']);

/**
 * The batch norms of `json` that can be folded into the layer before them: a conv / depthwise / separable conv /
 * dense layer with no activation whose output feeds only that batch norm (and is not a model output), the norm over
 * the last axis; `keep` lists layers whose own output must stay visible (extra outputs). Returns the producer name ->
 * its fold, and the folded norms' names (exported as identities).
 * @example
 * const { producers, norms } = foldableBatchNorms(model, modelToJson(model));
 */
export function foldableBatchNorms(
  model: tfl.LayersModel,
  json: ModelJson,
  keep: readonly string[] = [],
): { producers: Map<string, FoldedNorm>; norms: Set<string> } {
  const consumers = new Map<string, string[]>();
  for (const l of json.config.layers) for (const ref of l.inbound_nodes[0] ?? []) consumers.set(ref[0], [...(consumers.get(ref[0]) ?? []), l.name]);
  const outputs = new Set([...json.config.output_layers.map((o) => o[0]), ...keep]);
  const byName = new Map(json.config.layers.map((l) => [l.name, l]));
  const producers = new Map<string, FoldedNorm>();
  const norms = new Set<string>();
  for (const bn of json.config.layers) {
    if (bn.class_name !== 'BatchNormalization') continue;
    const inbound = bn.inbound_nodes[0] ?? [];
    const axis = bn.config.axis;
    if (inbound.length !== 1 || !(axis === -1 || axis === 3 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3)))) continue;
    const producer = byName.get(inbound[0][0]);
    if (!producer || !FOLDABLE.has(producer.class_name) || outputs.has(producer.name)) continue;
    if ((consumers.get(producer.name) ?? []).length !== 1 || (producer.config.activation ?? 'linear') !== 'linear') continue;
    const layer = model.getLayer(bn.name);
    const w = new Map(layer.weights.map((v) => [weightShortName(layer.name, v), v.read().dataSync() as Float32Array]));
    const mean = w.get('moving_mean')!;
    const variance = w.get('moving_variance')!;
    const eps = Number(bn.config.epsilon ?? 1e-3);
    const scale = Float32Array.from(mean, (_, i) => (w.get('gamma')?.[i] ?? 1) / Math.sqrt(variance[i] + eps));
    const shift = Float32Array.from(mean, (m, i) => (w.get('beta')?.[i] ?? 0) - m * scale[i]);
    producers.set(producer.name, { scale, shift });
    norms.add(bn.name);
  }
  return { producers, norms };
}

/**
 * A kernel and bias with a fold applied: every output channel (the kernel's last axis) scaled, the bias
 * `bias * scale + shift` (a missing bias counts as 0).
 * @example
 * const { kernel, bias } = applyFold(k.values, b?.values, fold);
 */
export function applyFold(kernel: Float32Array, bias: Float32Array | undefined, fold: FoldedNorm): { kernel: Float32Array; bias: Float32Array } {
  const n = fold.scale.length;
  return {
    kernel: Float32Array.from(kernel, (v, i) => v * fold.scale[i % n]),
    bias: Float32Array.from(fold.scale, (s, i) => (bias?.[i] ?? 0) * s + fold.shift[i]),
  };
}
