import type * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError } from '../errors/omniprune-error.js';
import type { DependencyGraph } from './dependency-graph.js';
import { jsonToModel, type ModelJson } from './model-json.js';
import type { RemoveHeadsPlan } from './prune-plan.js';
import { keepAlong, transferWeights } from './weight-transfer.js';

/** One multi-head self-attention layer of a model: its head count and head width. */
export interface AttentionLayer {
  readonly layer: string;
  readonly numHeads: number;
  readonly headDim: number;
}

/** Class names whose heads the engine can remove (the zoo's serialisable attention layer). */
export const HEAD_PRUNABLE_CLASSES: readonly string[] = ['MultiHeadSelfAttention'];

/** Weight short name -> axis indexed by `numHeads x headDim` (the head's columns of Q/K/V, rows of the output). */
export const HEAD_WEIGHT_AXES: Readonly<Record<string, number>> = {
  'query/kernel': 1, 'query/bias': 0, 'key/kernel': 1, 'key/bias': 0, 'value/kernel': 1, 'value/bias': 0, 'output/kernel': 0,
};

/**
 * Head count and head width from an attention layer's config (snake_case in model.json, camelCase from getConfig).
 * @example
 * attentionShape({ num_heads: 4, head_dim: 16 }) // { numHeads: 4, headDim: 16 }
 */
export function attentionShape(config: Record<string, unknown>): { numHeads: number; headDim: number } {
  return { numHeads: Number(config.num_heads ?? config.numHeads), headDim: Number(config.head_dim ?? config.headDim) };
}

/**
 * The attention layers of a graph whose heads can be removed, in graph order.
 * @example
 * attentionLayers(buildDependencyGraph(vitModel)) // [{ layer: 't0_attn', numHeads: 4, headDim: 16 }, ...]
 */
export function attentionLayers(graph: DependencyGraph): AttentionLayer[] {
  return graph.order.flatMap((name) => {
    const layer = graph.layers.get(name)!;
    if (!HEAD_PRUNABLE_CLASSES.includes(layer.className)) return [];
    return [{ layer: name, ...attentionShape(layer.config) }];
  });
}

/** Positions along the `numHeads x headDim` axis that belong to `heads`. */
export function headPositions(heads: readonly number[], headDim: number): number[] {
  return heads.flatMap((h) => Array.from({ length: headDim }, (_, j) => h * headDim + j));
}

/** Check a remove-heads plan against the graph; returns the attention layer and the kept heads. */
export function checkHeadsPlan(graph: DependencyGraph, plan: RemoveHeadsPlan): { attention: AttentionLayer; kept: number[] } {
  const all = attentionLayers(graph);
  const attention = all.find((a) => a.layer === plan.layer);
  if (!attention) {
    const cls = graph.layers.get(plan.layer)?.className;
    throw new OmnipruneError('E_BAD_PLAN', cls ? `layer "${plan.layer}" is a ${cls}, not a multi-head attention layer` : `no layer "${plan.layer}"`, {
      hint: `attention layers: ${all.map((a) => a.layer).join(', ') || '(none)'}`,
    });
  }
  const removed = new Set(plan.heads);
  if (removed.size !== plan.heads.length) throw new OmnipruneError('E_BAD_PLAN', `duplicate head indices for "${plan.layer}"`, { hint: 'list each head once' });
  const outOfRange = plan.heads.find((h) => h >= attention.numHeads);
  if (outOfRange !== undefined) {
    throw new OmnipruneError('E_BAD_PLAN', `head ${outOfRange} is out of range for "${plan.layer}" (${attention.numHeads} heads)`, { hint: `use heads 0..${attention.numHeads - 1}` });
  }
  if (removed.size >= attention.numHeads) {
    throw new OmnipruneError('E_UNPRUNABLE', `removing all ${attention.numHeads} heads of "${plan.layer}" would leave an empty attention layer`, {
      hint: 'keep at least one head per layer, or remove the whole residual branch with the layer pruner',
    });
  }
  return { attention, kept: Array.from({ length: attention.numHeads }, (_, h) => h).filter((h) => !removed.has(h)) };
}

/**
 * Remove attention heads: the head's columns of the Q, K and V projections (kernels and biases) and its rows of
 * the output projection go, and the layer's `numHeads` in `model.json` shrinks. Returns a new model.
 * @example
 * const pruned = await removeHeads(model, graph, { kind: 'remove-heads', layer: 't0_attn', heads: [1] });
 */
export async function removeHeads(model: tfl.LayersModel, graph: DependencyGraph, plan: RemoveHeadsPlan): Promise<tfl.LayersModel> {
  const { attention, kept } = checkHeadsPlan(graph, plan);
  const json: ModelJson = structuredClone(graph.json);
  const layerJson = json.config.layers.find((l) => l.name === plan.layer)!;
  layerJson.config['num_heads' in layerJson.config ? 'num_heads' : 'numHeads'] = kept.length;
  const keep = headPositions(kept, attention.headDim);
  const next = await jsonToModel(json);
  transferWeights(model, next, (layerName, short, value) => {
    const axis = layerName === plan.layer ? HEAD_WEIGHT_AXES[short] : undefined;
    return axis === undefined ? null : keepAlong(value, axis, keep);
  });
  return next;
}
