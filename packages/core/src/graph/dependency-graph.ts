import type * as tfl from '@tensorflow/tfjs-layers';
import type { ChannelGroup, DependencyGraph, GraphLayer } from '@omniprune/plugin-api';
import { adapterFor } from './layer-adapters.js';
import type { LayerAdapter } from './layer-adapter-types.js';
import { weightShortName } from './weight-transfer.js';
import { ChannelSpaces, groupOfSpace, type Layout } from './channel-spaces.js';
import { consumersOf, inboundNames, modelToJson, topoOrder, type LayerJson } from './model-json.js';
import { findResidualBlocks } from './residual-blocks.js';

/** A graph layer, a channel group and the dependency graph: declared in `@omniprune/plugin-api`. */
export type { ChannelGroup, DependencyGraph, GraphLayer };

declare module '@omniprune/plugin-api' {
  /** Core's graphs carry its full layer-table entries and its channel-space implementation. */
  interface HostTypes {
    readonly layerAdapter: LayerAdapter;
    readonly channelSpaces: ChannelSpaces;
  }
}

function shapeOf(model: tfl.LayersModel, name: string): number[] {
  const shape = model.getLayer(name).outputShape;
  const single = (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
  return single.slice(1).map((d) => d ?? -1);
}

function weightShapes(model: tfl.LayersModel, name: string): Record<string, number[]> {
  return Object.fromEntries(model.getLayer(name).weights.map((w) => [weightShortName(name, w), w.shape as number[]]));
}

function flattenLayout(inLayout: Layout, positions: number): Layout {
  const out: { space: number; ch: number }[] = [];
  for (let s = 0; s < positions; s++) out.push(...inLayout);
  return out;
}

function tieLayouts(spaces: ChannelSpaces, layouts: Layout[], where: string): void {
  const [first, ...rest] = layouts;
  for (const other of rest) {
    if (other.length !== first.length) {
      for (const l of layouts) for (const s of ChannelSpaces.spacesOf(l)) spaces.freeze(s, `${where}: inputs of different widths`);
      return;
    }
    for (let j = 0; j < first.length; j++) {
      const a = first[j];
      const b = other[j];
      if (a.ch !== b.ch || !spaces.union(a.space, b.space)) {
        spaces.freeze(a.space, `${where}: ties channels at different positions`);
        spaces.freeze(b.space, `${where}: ties channels at different positions`);
      }
    }
  }
}

/**
 * Build the dependency graph of a functional TF.js Layers model: per-layer channel layouts, groups of
 * coupled channels and residual blocks. Unknown layer classes freeze the channels they touch (with a warning).
 * @example
 * const graph = buildDependencyGraph(model);
 * graph.groups.filter((g) => !g.frozenReason).map((g) => g.id); // prunable groups
 */
export function buildDependencyGraph(model: tfl.LayersModel): DependencyGraph {
  const json = modelToJson(model);
  const order = topoOrder(json);
  const byName = new Map<string, LayerJson>(json.config.layers.map((l) => [l.name, l]));
  const consumers = consumersOf(json);
  const spaces = new ChannelSpaces();
  const layers = new Map<string, GraphLayer>();
  const warnings: string[] = [];

  for (const name of order) {
    const lj = byName.get(name)!;
    const inbound = inboundNames(lj);
    const outputShape = shapeOf(model, name);
    const outSize = outputShape[outputShape.length - 1];
    const inLayouts = inbound.map((n) => layers.get(n)!.outLayout);
    const inLayout = inLayouts[0] ?? [];
    let adapter = adapterFor(lj.class_name, lj.config);
    const inputRank = inbound.length ? layers.get(inbound[0])!.outputShape.length + 1 : 0;
    const unsupported = adapter?.unsupported?.(lj.config, inputRank, weightShapes(model, name)) ?? (adapter ? null : `unknown layer class ${lj.class_name}`);
    let outLayout: Layout;
    let producedSpace: number | undefined;
    if (unsupported) {
      const reason = `layer "${name}" (${lj.class_name}): ${unsupported}`;
      warnings.push(`${reason}; its channels are kept unpruned`);
      for (const l of inLayouts) for (const s of ChannelSpaces.spacesOf(l)) spaces.freeze(s, reason);
      outLayout = spaces.create(outSize, name, reason);
      adapter = undefined;
    } else {
      switch (adapter!.role) {
        case 'source':
          outLayout = spaces.create(outSize, null, `model input "${name}"`);
          producedSpace = outLayout[0]?.space;
          break;
        case 'producer':
          outLayout = spaces.create(outSize, name);
          producedSpace = outLayout[0]?.space;
          break;
        case 'passthrough':
          outLayout = inLayout;
          if (adapter!.couplesChannels) {
            for (const s of ChannelSpaces.spacesOf(inLayout)) spaces.markInexact(s, `"${name}" (${lj.class_name}) mixes channels`);
          }
          break;
        case 'merge':
          tieLayouts(spaces, inLayouts, `"${name}" (${lj.class_name})`);
          outLayout = inLayout;
          break;
        case 'concat':
          outLayout = inLayouts.flat();
          break;
        case 'flatten': {
          const inShape = layers.get(inbound[0])!.outputShape;
          const positions = inShape.slice(0, -1).reduce((a, b) => a * b, 1);
          outLayout = flattenLayout(inLayout, positions);
          break;
        }
        case 'reshape': {
          const inShape = layers.get(inbound[0])!.outputShape;
          if (inShape[inShape.length - 1] === outSize) {
            outLayout = inLayout;
          } else if (outputShape.length === 1) {
            outLayout = flattenLayout(inLayout, outSize / inLayout.length);
          } else {
            const reason = `layer "${name}" (Reshape) mixes the channel axis`;
            warnings.push(`${reason}; its channels are kept unpruned`);
            for (const s of ChannelSpaces.spacesOf(inLayout)) spaces.freeze(s, reason);
            outLayout = spaces.create(outSize, name, reason);
          }
          break;
        }
      }
    }
    layers.set(name, {
      name,
      className: lj.class_name,
      config: lj.config,
      adapter,
      inbound,
      consumers: consumers.get(name) ?? [],
      outputShape,
      inLayout,
      outLayout,
      producedSpace,
    });
  }
  for (const [outName] of json.config.output_layers) {
    for (const s of ChannelSpaces.spacesOf(layers.get(outName)!.outLayout)) spaces.freeze(s, `model output "${outName}"`);
  }
  const groups = collectGroups(order, layers, spaces);
  const blocks = findResidualBlocks(order, layers, groups, spaces);
  return { json, order, layers, spaces, groups, blocks, warnings };
}

function collectGroups(order: readonly string[], layers: Map<string, GraphLayer>, spaces: ChannelSpaces): ChannelGroup[] {
  const byRoot = new Map<number, { spaces: number[]; producers: string[]; consumers: string[]; passthrough: string[] }>();
  const entry = (space: number) => {
    const root = spaces.find(space);
    let e = byRoot.get(root);
    if (!e) byRoot.set(root, (e = { spaces: [], producers: [], consumers: [], passthrough: [] }));
    return e;
  };
  for (const s of spaces.spaces) entry(s.id).spaces.push(s.id);
  for (const name of order) {
    const layer = layers.get(name)!;
    if (layer.producedSpace !== undefined && layer.adapter?.role === 'producer') entry(layer.producedSpace).producers.push(name);
    const touched = new Set(ChannelSpaces.spacesOf(layer.inLayout).map((s) => spaces.find(s)));
    for (const root of touched) {
      if (layer.adapter?.role === 'producer') entry(root).consumers.push(name);
      else if (layer.adapter?.role === 'passthrough' && layer.adapter.weights) entry(root).passthrough.push(name);
    }
  }
  const groups: ChannelGroup[] = [];
  for (const [root, e] of byRoot) {
    const space = spaces.spaces[root];
    const id = e.producers[0] ?? `input:${space.producer ?? root}`;
    if (space.producer === null && e.producers.length === 0) {
      const src = order.find((n) => layers.get(n)!.producedSpace === root);
      groups.push({
        id: `input:${src ?? root}`,
        size: space.size,
        spaces: e.spaces,
        producers: [],
        consumers: e.consumers,
        passthrough: e.passthrough,
        residual: false,
        frozenReason: spaces.frozenReason(root) ?? 'model input',
      });
      continue;
    }
    groups.push({
      id,
      size: space.size,
      spaces: e.spaces,
      producers: e.producers,
      consumers: e.consumers,
      passthrough: e.passthrough,
      residual: e.producers.length > 1,
      frozenReason: spaces.frozenReason(root),
      inexactReason: spaces.inexactReason(root),
    });
  }
  return groups;
}

/** The group containing the channels produced by (or flowing through) layer `name`. */
export function groupOfLayer(graph: DependencyGraph, name: string): ChannelGroup | undefined {
  const layer = graph.layers.get(name);
  const ref = layer?.outLayout[0];
  return ref ? groupOfSpace(graph.groups, graph.spaces, ref.space) : undefined;
}
