import type * as tfl from '@tensorflow/tfjs-layers';
import type { AttentionLayer } from '@omniprune/plugin-api';
import { OmnipruneError } from '../errors/omniprune-error.js';
import type { DependencyGraph } from './dependency-graph.js';
import { jsonToModel, type ModelJson } from './model-json.js';
import type { RemoveHeadsPlan } from './prune-plan.js';
import { keepAlong, transferWeights } from './weight-transfer.js';
import { setConfigValue } from './layer-adapter-types.js';
import { LAYER_ADAPTERS } from './layer-adapters.js';
import { headAdapter } from './layer-queries.js';

/** One multi-head self-attention layer of a model, its head count and width (declared in `@omniprune/plugin-api`). */
export type { AttentionLayer };

/**
 * Head count and head width from an attention layer's config (snake_case in model.json, camelCase from getConfig),
 * as the table's entry for the zoo's attention layer reads them.
 * @example
 * attentionShape({ num_heads: 4, head_dim: 16 }) // { numHeads: 4, headDim: 16 }
 */
export function attentionShape(config: Record<string, unknown>): { numHeads: number; headDim: number } {
  return LAYER_ADAPTERS.MultiHeadSelfAttention.heads!.shape(config);
}

/**
 * The attention layers of a graph whose heads can be removed (table entries with `heads`), in graph order.
 * @example
 * attentionLayers(buildDependencyGraph(vitModel)) // [{ layer: 't0_attn', numHeads: 4, headDim: 16 }, ...]
 */
export function attentionLayers(graph: DependencyGraph): AttentionLayer[] {
  return graph.order.flatMap((name) => {
    const heads = headAdapter(graph, name);
    return heads ? [{ layer: name, ...heads.shape(graph.layers.get(name)!.config) }] : [];
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
    throw new OmnipruneError('E_BAD_PLAN', `head ${outOfRange} is out of range for "${plan.layer}" (${attention.numHeads} heads)`, {
      hint: `use heads 0..${attention.numHeads - 1}`,
    });
  }
  if (removed.size >= attention.numHeads) {
    throw new OmnipruneError('E_UNPRUNABLE', `removing all ${attention.numHeads} heads of "${plan.layer}" would leave an empty attention layer`, {
      hint: 'keep at least one head per layer, or remove the whole residual branch with the layer pruner',
    });
  }
  return { attention, kept: Array.from({ length: attention.numHeads }, (_, h) => h).filter((h) => !removed.has(h)) };
}

/**
 * Remove attention heads: the head's positions along the table's head axes go (the columns of the Q, K and V
 * projections, kernels and biases, and the rows of the output projection), and the head count in `model.json`
 * shrinks. Returns a new model.
 * @example
 * const pruned = await removeHeads(model, graph, { kind: 'remove-heads', layer: 't0_attn', heads: [1] });
 */
export async function removeHeads(model: tfl.LayersModel, graph: DependencyGraph, plan: RemoveHeadsPlan): Promise<tfl.LayersModel> {
  const { attention, kept } = checkHeadsPlan(graph, plan);
  const json: ModelJson = structuredClone(graph.json);
  const { countKey, axes } = headAdapter(graph, plan.layer)!;
  setConfigValue(json.config.layers.find((l) => l.name === plan.layer)!.config, countKey, kept.length);
  const keep = headPositions(kept, attention.headDim);
  const next = await jsonToModel(json);
  transferWeights(model, next, (layerName, short, value) => {
    const axis = layerName === plan.layer ? axes[short] : undefined;
    return axis === undefined ? null : keepAlong(value, axis, keep);
  });
  return next;
}
