/**
 * Questions plugins ask the layer table about a model's graph, so they never test class names or walk channel
 * spaces themselves.
 */
import type { Layout } from './channel-spaces.js';
import type { ChannelGroup, DependencyGraph } from './dependency-graph.js';
import type { HeadAdapter, LayerAdapter, ProducerAdapter } from './layer-adapter-types.js';

/**
 * The table entry of graph layer `name`; undefined for a class the engine does not know or a configuration it
 * cannot prune (its channels are frozen, see `graph.warnings`).
 * @example
 * layerAdapter(graph, 's1_b0_conv1')?.role // 'producer'
 */
export function layerAdapter(graph: DependencyGraph, name: string): LayerAdapter | undefined {
  return graph.layers.get(name)?.adapter;
}

/** A layer producing a group's channels, with its table entry. */
export interface GroupProducer {
  readonly layer: string;
  readonly adapter: ProducerAdapter;
}

/**
 * The layers whose outputs are a group's channels, in graph order, with their producer entries (a residual group
 * has several).
 * @example
 * producersOf(graph, group).map((p) => p.adapter.sizeKey) // ['filters', 'filters']
 */
export function producersOf(graph: DependencyGraph, group: ChannelGroup): GroupProducer[] {
  return group.producers.flatMap((layer) => {
    const adapter = layerAdapter(graph, layer);
    return adapter?.role === 'producer' ? [{ layer, adapter }] : [];
  });
}

/**
 * The group's channel at each position of `layout` (a layer's `inLayout` or `outLayout`), -1 where the position
 * holds another group's channel (after a concatenation).
 * @example
 * groupChannels(group, graph.layers.get('cat')!.outLayout) // Int32Array [0, 1, 2, -1, -1]
 */
export function groupChannels(group: ChannelGroup, layout: Layout): Int32Array {
  const spaces = new Set(group.spaces);
  return Int32Array.from(layout, (ref) => (spaces.has(ref.space) ? ref.ch : -1));
}

/** A batch normalisation a group's channels pass through. */
export interface GroupBatchNorm {
  readonly layer: string;
  /** Short name of its per-channel scale weight (`gamma`). */
  readonly scale: string;
  /** The group's channel at each position of the layer's channel axis, -1 for other groups' channels. */
  readonly channels: Int32Array;
}

/**
 * The batch normalisations (table entries with a `batchNormScale`) the group's channels pass through, in graph
 * order.
 * @example
 * batchNormsOf(graph, group).map((b) => b.layer) // ['s1_b0_bn1']
 */
export function batchNormsOf(graph: DependencyGraph, group: ChannelGroup): GroupBatchNorm[] {
  return group.passthrough.flatMap((layer) => {
    const scale = layerAdapter(graph, layer)?.batchNormScale;
    return scale ? [{ layer, scale, channels: groupChannels(group, graph.layers.get(layer)!.inLayout) }] : [];
  });
}

/**
 * The batch normalisation of layer `name`'s output: the first layer with a batch-norm scale reached through
 * single-consumer layers without weights (activations, dropout, pooling); undefined when there is none.
 * @example
 * batchNormOf(graph, 's1_b0_conv1') // 's1_b0_bn1'
 */
export function batchNormOf(graph: DependencyGraph, name: string): string | undefined {
  let at = graph.layers.get(name);
  while (at && at.consumers.length === 1) {
    const next = graph.layers.get(at.consumers[0])!;
    if (next.adapter?.batchNormScale) return next.name;
    if (next.adapter?.role !== 'passthrough' || next.adapter.weights) return undefined;
    at = next;
  }
  return undefined;
}

/**
 * The head entry of an attention layer of the graph (head shape, head axes of its weights), or undefined.
 * @example
 * headAdapter(graph, 't0_attn')?.axes['output/kernel'] // 0
 */
export function headAdapter(graph: DependencyGraph, name: string): HeadAdapter | undefined {
  return layerAdapter(graph, name)?.heads;
}
