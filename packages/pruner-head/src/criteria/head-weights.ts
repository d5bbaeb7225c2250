import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { adapterFor, headPositions, rowsAlong, weightShortName, type AttentionLayer } from '@omniprune/core/graph';
import { defineCriterion, type HeadImportance } from '@omniprune/plugin-api';

/** Which norm {@link headWeightScores} takes. */
export type HeadNorm = 'l1' | 'l2';

/**
 * Norm of each head's weights: its columns of the Q, K, V kernels and biases and its rows of the output kernel
 * (everything removing the head deletes: the head axes of the layer table's entry). `l1` sums `|w|`, `l2` is the
 * Euclidean norm of the same weights.
 * @example
 * await headWeightScores(model, { layer: 't0_attn', numHeads: 4, headDim: 16 }, 'l1') // Float32Array(4)
 */
export async function headWeightScores(model: tfl.LayersModel, attention: AttentionLayer, norm: HeadNorm): Promise<Float32Array> {
  const sums = new Float64Array(attention.numHeads);
  const live = model.getLayer(attention.layer);
  const axes = adapterFor(live.getClassName(), live.getConfig() as Record<string, unknown>)?.heads?.axes ?? {};
  for (const weight of live.weights) {
    const axis = axes[weightShortName(attention.layer, weight)];
    if (axis === undefined) continue;
    const rows = rowsAlong((await weight.read().data()) as Float32Array, weight.shape as number[], axis);
    for (let h = 0; h < attention.numHeads; h++) {
      for (const p of headPositions([h], attention.headDim)) for (const v of rows[p]) sums[h] += norm === 'l1' ? Math.abs(v) : v * v;
    }
  }
  return Float32Array.from(sums, (s) => (norm === 'l1' ? s : Math.sqrt(s)));
}

function normCriterion(norm: HeadNorm) {
  return defineCriterion({
    name: `head-${norm}`,
    role: 'head-importance',
    description: `Head importance = ${norm.toUpperCase()} norm of its Q/K/V columns and output-projection rows`,
    options: z.strictObject({}),
    create: (): HeadImportance => ({
      role: 'head-importance',
      name: `head-${norm}`,
      scoreHeads: (ctx, attention) => headWeightScores(ctx.parent, attention, norm),
    }),
  });
}

/** Head criterion plugin `head-l1` (the `head` pruner's default). */
export const headL1Criterion = normCriterion('l1');
/** Head criterion plugin `head-l2`. */
export const headL2Criterion = normCriterion('l2');
