import { z } from 'zod';
import { attentionLayers, type AttentionLayer } from '@omniprune/core/graph';
import { createImportanceCriterion } from '@omniprune/core/plugin';
import { definePruner, type HeadImportance, type PluginContext, type PruneCandidate, type Pruner } from '@omniprune/plugin-api';
import { nameFilter, regexOption } from '@omniprune/plugin-api';
import { headCkaCriterion, headOutputCriterion, headRandomCriterion } from './criteria/head-data.js';
import { headL1Criterion, headL2Criterion } from './criteria/head-weights.js';

/** Options of the `head` pruner. */
export const headPrunerOptions = z.strictObject({
  /** Head-importance criterion plugin: head-l1 (default), head-l2, head-output, head-cka, head-random, or a third-party one. */
  criterion: z.string().min(1).default('head-l1'),
  /** Options passed to the criterion. */
  criterionOptions: z.record(z.string(), z.unknown()).default({}),
  /** Heads removed per candidate, the lowest-scoring across all layers. */
  headsPerIteration: z.number().int().positive().default(1),
  /** Heads every attention layer keeps. */
  minHeadsPerLayer: z.number().int().positive().default(1),
  /** Regular expression an attention layer's name must match. */
  include: regexOption.optional(),
  /** Regular expression an attention layer's name must not match. */
  exclude: regexOption.optional(),
});

const BUILTIN = [headL1Criterion, headL2Criterion, headOutputCriterion, headCkaCriterion, headRandomCriterion];

function criterionFor(name: string, options: unknown, ctx: PluginContext): Promise<HeadImportance> {
  return createImportanceCriterion<HeadImportance>(ctx, {
    name,
    options,
    role: 'head-importance',
    method: 'scoreHeads',
    builtins: BUILTIN,
    pruner: 'pruner:head',
  });
}

/** Scored heads: the `count` lowest across layers, each layer keeping `minHeads`; ties by layer order then head. */
export function pickHeads(scored: readonly { attention: AttentionLayer; scores: Float32Array }[], count: number, minHeads: number): Map<string, number[]> {
  const all = scored.flatMap(({ attention, scores }, li) => Array.from(scores, (score, head) => ({ layer: attention.layer, li, head, score })));
  all.sort((a, b) => a.score - b.score || a.li - b.li || a.head - b.head);
  const left = new Map(scored.map(({ attention }) => [attention.layer, attention.numHeads]));
  const picked = new Map<string, number[]>();
  for (const h of all) {
    if ([...picked.values()].reduce((n, v) => n + v.length, 0) >= count) break;
    if (left.get(h.layer)! <= minHeads) continue;
    left.set(h.layer, left.get(h.layer)! - 1);
    picked.set(
      h.layer,
      [...(picked.get(h.layer) ?? []), h.head].sort((a, b) => a - b),
    );
  }
  return picked;
}

/**
 * The `head` pruner: removes the least important attention heads (of the zoo's MultiHeadSelfAttention layers).
 * @example
 * pruners: [{ use: head, with: { criterion: head-cka, headsPerIteration: 2 } }]
 */
export const headPruner = definePruner({
  name: 'head',
  kinds: ['head'],
  criteria: [{ option: 'criterion', optionsKey: 'criterionOptions', role: 'head-importance', defaultName: 'head-l1' }],
  description: 'Remove the least important attention heads (Q/K/V columns and output rows; numHeads shrinks)',
  options: headPrunerOptions,
  async create(options, ctx): Promise<Pruner> {
    const criterion = await criterionFor(options.criterion, options.criterionOptions, ctx);
    const named = nameFilter(options.include, options.exclude);
    return {
      kind: 'head',
      async propose(p): Promise<PruneCandidate | null> {
        const layers = attentionLayers(p.graph).filter((a) => a.numHeads > options.minHeadsPerLayer && named(a.layer));
        if (layers.length === 0) return null;
        const scored = [];
        for (const attention of layers) scored.push({ attention, scores: await criterion.scoreHeads(p, attention) });
        const picked = pickHeads(scored, options.headsPerIteration, options.minHeadsPerLayer);
        const removed = [...picked.values()].reduce((n, v) => n + v.length, 0);
        if (removed === 0) return null;
        const where = [...picked].map(([layer, heads]) => `${layer}[${heads.join(',')}]`).join(' ');
        return {
          kind: 'head',
          pruner: 'head',
          removedUnits: removed,
          plans: [...picked].map(([layer, heads]) => ({ kind: 'remove-heads' as const, layer, heads })),
          summary: `remove ${removed} head${removed === 1 ? '' : 's'} ${where} (${options.criterion})`,
        };
      },
    };
  },
});
