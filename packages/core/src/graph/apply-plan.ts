import type * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { buildDependencyGraph, type DependencyGraph, type GraphLayer } from './dependency-graph.js';
import { adapterFor } from './layer-adapters.js';
import { layerAdapter } from './layer-queries.js';
import { isRemovedChannel, type ChannelRef } from './channel-spaces.js';
import { jsonToModel, modelToJson, type InboundRef, type ModelJson } from './model-json.js';
import type { PrunePlan, RemoveBlockPlan, RemoveChannelsPlan } from './prune-plan.js';
import { keepAlong, transferWeights } from './weight-transfer.js';
import { removeHeads } from './remove-heads.js';
import { inheritAnnotations } from '../io/model-annotations.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function badPlan(message: string, hint: string): OmnipruneError {
  return new OmnipruneError('E_BAD_PLAN', message, { hint });
}

/** Remove channels of one group; returns a new model. */
async function removeChannels(model: tfl.LayersModel, graph: DependencyGraph, plan: RemoveChannelsPlan): Promise<tfl.LayersModel> {
  const group = graph.groups.find((g) => g.id === plan.group);
  if (!group) {
    const ids = graph.groups.filter((g) => !g.frozenReason).map((g) => g.id);
    throw badPlan(`no channel group "${plan.group}"`, `prunable groups: ${ids.join(', ') || '(none)'}`);
  }
  if (group.frozenReason)
    throw new OmnipruneError('E_UNPRUNABLE', `group "${group.id}" cannot be pruned: ${group.frozenReason}`, {
      hint: 'choose another group, or remove the layer that freezes it',
    });
  const removed = new Set(plan.indices);
  if (removed.size !== plan.indices.length) throw badPlan(`duplicate channel indices for group "${group.id}"`, 'list each index once');
  const outOfRange = plan.indices.find((i) => i >= group.size);
  if (outOfRange !== undefined)
    throw badPlan(`channel ${outOfRange} is out of range for group "${group.id}" (${group.size} channels)`, `use indices 0..${group.size - 1}`);
  if (removed.size >= group.size)
    throw new OmnipruneError('E_UNPRUNABLE', `removing all ${group.size} channels of group "${group.id}" would disconnect the model`, {
      hint: 'keep at least one channel per group',
    });
  if (removed.size === 0) return cloneModel(model, graph.json);

  const isRemoved = isRemovedChannel(graph.spaces, group.spaces[0], plan.indices);
  const kept = (ref: ChannelRef): boolean => !isRemoved(ref);
  const keptPositions = (layout: readonly ChannelRef[]): number[] | null => {
    const keep = range(layout.length).filter((j) => kept(layout[j]));
    return keep.length === layout.length ? null : keep;
  };
  const json: ModelJson = structuredClone(graph.json);
  const inKeep = new Map<string, number[] | null>();
  const outKeep = new Map<string, number[] | null>();
  for (const lj of json.config.layers) {
    const layer = graph.layers.get(lj.name)!;
    const adapter = layer.adapter;
    const inK = keptPositions(layer.inLayout);
    const outK = keptPositions(layer.outLayout);
    inKeep.set(lj.name, inK);
    outKeep.set(lj.name, adapter?.role === 'producer' ? outK : inK);
    if (!outK) continue;
    if (adapter?.role === 'producer') lj.config[adapter.sizeKey] = outK.length;
    adapter?.patchConfig?.(lj.config, outK.length);
  }
  const next = await jsonToModel(json);
  transferWeights(model, next, (layerName, short, value) => {
    const axes = layerAdapter(graph, layerName)?.weights?.[short];
    if (!axes) return null;
    let out = value;
    const inK = inKeep.get(layerName);
    const outK = outKeep.get(layerName);
    if (axes.in !== undefined && inK) out = keepAlong(out, axes.in, inK);
    if (axes.out !== undefined && outK) {
      const sliced = keepAlong(out, axes.out, outK);
      if (out !== value) out.dispose();
      out = sliced;
    }
    return out === value ? null : out;
  });
  return next;
}

/** A new model built from `json` carrying `model`'s weights for every layer it shares. */
async function cloneModel(model: tfl.LayersModel, json: ModelJson): Promise<tfl.LayersModel> {
  const next = await jsonToModel(json);
  transferWeights(model, next, () => null);
  return next;
}

function rewire(json: ModelJson, from: string, to: InboundRef): void {
  for (const l of json.config.layers) {
    for (const node of l.inbound_nodes) for (const ref of node) if (ref[0] === from) [ref[0], ref[1], ref[2]] = [to[0], to[1], to[2]];
  }
  for (const out of json.config.output_layers) if (out[0] === from) [out[0], out[1], out[2]] = [to[0], to[1], to[2]];
}

function isRelu(layer: GraphLayer): boolean {
  return adapterFor(layer.className, layer.config)?.isRelu?.(layer.config) ?? false;
}

/** Remove one residual block: its branch and its Add; a ReLU after the Add whose input is already ReLU'd goes too. */
async function removeBlock(model: tfl.LayersModel, graph: DependencyGraph, plan: RemoveBlockPlan): Promise<tfl.LayersModel> {
  const block = graph.blocks.find((b) => b.id === plan.block);
  if (!block) {
    const ids = graph.blocks.filter((b) => !b.unremovableReason).map((b) => b.id);
    throw badPlan(`no residual block "${plan.block}"`, `removable blocks: ${ids.join(', ') || '(none)'}`);
  }
  if (block.unremovableReason)
    throw new OmnipruneError('E_UNPRUNABLE', `block "${block.id}" cannot be removed: ${block.unremovableReason}`, {
      hint: 'choose a block with an identity shortcut',
    });
  const json: ModelJson = structuredClone(graph.json);
  const drop = new Set([...block.branch, block.id]);
  const addLayer = graph.layers.get(block.id)!;
  const input = graph.layers.get(block.input)!;
  const after = addLayer.consumers.length === 1 ? graph.layers.get(addLayer.consumers[0]) : undefined;
  const inputRef = [block.input, 0, 0, {}] as InboundRef;
  rewire(json, block.id, inputRef);
  if (after && isRelu(after) && isRelu(input)) {
    drop.add(after.name);
    rewire(json, after.name, inputRef);
  }
  json.config.layers = json.config.layers.filter((l) => !drop.has(l.name));
  return cloneModel(model, json);
}

/**
 * Apply pruning plans in order and return the pruned model (a new model; `model` is left untouched).
 * @example
 * const pruned = await applyPlans(model, [{ kind: 'remove-channels', group: 's1_b0_conv1', indices: [0, 3] }]);
 */
export async function applyPlans(model: tfl.LayersModel, plans: readonly PrunePlan[]): Promise<tfl.LayersModel> {
  let current = model;
  for (const plan of plans) {
    const graph = buildDependencyGraph(current);
    const next =
      plan.kind === 'remove-channels'
        ? await removeChannels(current, graph, plan)
        : plan.kind === 'remove-block'
          ? await removeBlock(current, graph, plan)
          : await removeHeads(current, graph, plan);
    if (current !== model) current.dispose();
    current = next;
  }
  return inheritAnnotations(model, current === model ? await cloneModel(model, modelToJson(model)) : current);
}
