import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { PrunePlan, RestoreWeights } from '@omniprune/plugin-api';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { isRemovedChannel } from './channel-spaces.js';
import type { DependencyGraph } from './dependency-graph.js';
import { LAYER_ADAPTERS } from './layer-adapters.js';
import { headAdapter, layerAdapter } from './layer-queries.js';
import { checkHeadsPlan, headPositions } from './remove-heads.js';
import { weightShortName } from './weight-transfer.js';

/** Undo a mask: puts back the original weights (declared in `@omniprune/plugin-api`). */
export type { RestoreWeights };

function maskAlong(value: tf.Tensor, axis: number, positions: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    const a = axis < 0 ? value.rank + axis : axis;
    const mask = new Float32Array(value.shape[a]).fill(1);
    for (const p of positions) mask[p] = 0;
    const shape = value.shape.map((_, i) => (i === a ? value.shape[a] : 1));
    return tf.mul(value, tf.tensor(mask, shape));
  });
}

function setWeightsKeepingOld(layer: tfl.layers.Layer, values: tf.Tensor[]): RestoreWeights {
  const originals = layer.weights.map((w) => w.read().clone());
  layer.setWeights(values);
  return () => {
    layer.setWeights(originals);
    tf.dispose(originals);
  };
}

/**
 * Mask channels of a group in place: every weight that reads them is zeroed, so the model computes exactly
 * what the pruned model would. Returns a function restoring the original weights.
 * @example
 * const restore = maskChannels(model, graph, 's1_b0_conv1', [2]); evaluate(model); restore();
 */
export function maskChannels(model: tfl.LayersModel, graph: DependencyGraph, groupId: string, indices: readonly number[]): RestoreWeights {
  const group = graph.groups.find((g) => g.id === groupId);
  if (!group) throw new OmnipruneError('E_BAD_PLAN', `no channel group "${groupId}"`);
  const isRemoved = isRemovedChannel(graph.spaces, group.spaces[0], indices);
  const restores: RestoreWeights[] = [];
  const restore: RestoreWeights = () => restores.reverse().forEach((r) => r());
  try {
    for (const name of [...group.consumers, ...group.passthrough]) {
      const layer = graph.layers.get(name)!;
      const positions = layer.inLayout.flatMap((r, j) => (isRemoved(r) ? [j] : []));
      const live = model.getLayer(name);
      let changed = false;
      const values = live.weights.map((w) => {
        const axis = layerAdapter(graph, name)?.weights?.[weightShortName(name, w)]?.in;
        if (axis === undefined || positions.length === 0) return w.read();
        changed = true;
        return maskAlong(w.read(), axis, positions);
      });
      if (!changed) continue;
      restores.push(setWeightsKeepingOld(live, values));
      tf.dispose(values.filter((v, i) => v !== live.weights[i].read()));
    }
  } catch (error) {
    restore(); // a layer failing midway leaves none of the group's weights masked
    throw error;
  }
  return restore;
}

/**
 * Disable a residual block in place: its branch outputs zero, so the block computes the identity.
 * The branch must end in a layer whose table entry lists weights zeroing its output (`zeroOutput`: batch norm,
 * Dense, convolutions, attention).
 * @example
 * const restore = bypassBlock(model, graph, 's1_b2_add'); evaluate(model); restore();
 */
export function bypassBlock(model: tfl.LayersModel, graph: DependencyGraph, blockId: string): RestoreWeights {
  const block = graph.blocks.find((b) => b.id === blockId);
  if (!block || block.unremovableReason) throw new OmnipruneError('E_BAD_PLAN', `no removable block "${blockId}"`);
  const last = block.branch[block.branch.length - 1];
  const layer = graph.layers.get(last)!;
  const names = layerAdapter(graph, last)?.zeroOutput;
  if (!names) {
    const able = Object.entries(LAYER_ADAPTERS).flatMap(([cls, a]) => (a.zeroOutput ? [cls] : []));
    throw new OmnipruneError('E_UNPRUNABLE', `cannot bypass block "${blockId}": its branch ends in ${layer.className}`, {
      hint: `end residual branches in one of ${able.join(', ')}`,
    });
  }
  const live = model.getLayer(last);
  const values = live.weights.map((w) => (names.includes(weightShortName(last, w)) ? tf.zerosLike(w.read()) : w.read()));
  const restore = setWeightsKeepingOld(live, values);
  tf.dispose(values.filter((v, i) => v !== live.weights[i].read()));
  return restore;
}

/**
 * Mask attention heads in place: the heads' positions of the table's `maskedWeights` (the output projection's
 * rows) are zeroed, so the layer computes exactly what it computes with those heads removed. Returns a function
 * restoring the original weights.
 * @example
 * const restore = maskHeads(model, graph, 't0_attn', [1]); evaluate(model); restore();
 */
export function maskHeads(model: tfl.LayersModel, graph: DependencyGraph, layerName: string, heads: readonly number[]): RestoreWeights {
  const { attention } = checkHeadsPlan(graph, { kind: 'remove-heads', layer: layerName, heads: [...heads] });
  const { axes, maskedWeights } = headAdapter(graph, layerName)!;
  const live = model.getLayer(layerName);
  const rows = headPositions(heads, attention.headDim);
  const values = live.weights.map((w) => {
    const short = weightShortName(layerName, w);
    return maskedWeights.includes(short) ? maskAlong(w.read(), axes[short], rows) : w.read();
  });
  const restore = setWeightsKeepingOld(live, values);
  tf.dispose(values.filter((v, i) => v !== live.weights[i].read()));
  return restore;
}

/**
 * Mask in place what a plan would remove (`maskChannels`, `bypassBlock` or `maskHeads`), so the model computes what
 * the pruned model would. Returns the undo.
 * @example
 * const restore = maskPlan(model, graph, { kind: 'remove-block', block: 's1_b2_add' }); evaluate(model); restore();
 */
export function maskPlan(model: tfl.LayersModel, graph: DependencyGraph, plan: PrunePlan): RestoreWeights {
  switch (plan.kind) {
    case 'remove-channels':
      return maskChannels(model, graph, plan.group, plan.indices);
    case 'remove-block':
      return bypassBlock(model, graph, plan.block);
    case 'remove-heads':
      return maskHeads(model, graph, plan.layer, plan.heads);
  }
}
