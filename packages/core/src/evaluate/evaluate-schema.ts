import { z } from 'zod';

/**
 * One `evaluate:` entry of a pipeline: an evaluator plugin, its options, and how often it runs on the iterations'
 * winners (`every: 3` = iterations 3, 6, 9 ...). Every evaluator also runs on the base model and the final model.
 */
export const evaluateEntrySchema = z.strictObject({
  use: z.string().min(1),
  with: z.unknown().optional(),
  every: z.number().int().positive().default(1),
});

/** A parsed `evaluate:` entry. */
export type EvaluateEntry = z.output<typeof evaluateEntrySchema>;
