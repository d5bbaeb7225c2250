import { z } from 'zod';

/** Remove channels (filters, neurons) from one channel group. */
export const removeChannelsPlanSchema = z.object({
  kind: z.literal('remove-channels'),
  /** Group id (the first producing layer's name). */
  group: z.string(),
  /** Channel indices to remove, 0-based. */
  indices: z.array(z.number().int().nonnegative()),
});

/** Remove one residual block (its branch and its Add). */
export const removeBlockPlanSchema = z.object({
  kind: z.literal('remove-block'),
  /** Block id (the name of its Add layer). */
  block: z.string(),
});

/** Remove attention heads from one multi-head self-attention layer. */
export const removeHeadsPlanSchema = z.object({
  kind: z.literal('remove-heads'),
  layer: z.string(),
  heads: z.array(z.number().int().nonnegative()),
});

/** A JSON-serialisable pruning step, logged in reports and replayable with `applyPlans`. */
export const prunePlanSchema = z.discriminatedUnion('kind', [removeChannelsPlanSchema, removeBlockPlanSchema, removeHeadsPlanSchema]);

export type RemoveChannelsPlan = z.infer<typeof removeChannelsPlanSchema>;
export type RemoveBlockPlan = z.infer<typeof removeBlockPlanSchema>;
export type RemoveHeadsPlan = z.infer<typeof removeHeadsPlanSchema>;
/** See {@link prunePlanSchema}. */
export type PrunePlan = z.infer<typeof prunePlanSchema>;

/**
 * One-line human summary of a plan.
 * @example
 * describePlan({ kind: 'remove-block', block: 's1_b3_add' }) // 'remove block s1_b3_add'
 */
export function describePlan(plan: PrunePlan): string {
  switch (plan.kind) {
    case 'remove-channels':
      return `remove ${plan.indices.length} channel(s) of group ${plan.group}`;
    case 'remove-block':
      return `remove block ${plan.block}`;
    case 'remove-heads':
      return `remove ${plan.heads.length} head(s) of ${plan.layer}`;
  }
}
