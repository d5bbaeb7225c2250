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

/**
 * A JSON-serialisable pruning step, logged in reports and replayable with `applyPlans`.
 * @example
 * prunePlanSchema.parse({ kind: 'remove-channels', group: 's1_b0_conv1', indices: [3, 9] });
 */
export const prunePlanSchema = z.discriminatedUnion('kind', [removeChannelsPlanSchema, removeBlockPlanSchema, removeHeadsPlanSchema]);

export type RemoveChannelsPlan = z.infer<typeof removeChannelsPlanSchema>;
export type RemoveBlockPlan = z.infer<typeof removeBlockPlanSchema>;
export type RemoveHeadsPlan = z.infer<typeof removeHeadsPlanSchema>;
/** See {@link prunePlanSchema}. */
export type PrunePlan = z.infer<typeof prunePlanSchema>;
