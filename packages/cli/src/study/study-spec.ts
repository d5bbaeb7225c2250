import { z } from 'zod';

/**
 * The `study:` block of a bench file: the ground truth a metric is judged against (`bench --oracle`). A pool of
 * candidates is built from the pipeline's base model, each candidate is fine-tuned with the pipeline's candidate budget
 * and its test accuracy measured, and every metric scores the same pool.
 */
export const studySpecSchema = z.strictObject({
  /** Filter candidates of these sizes (fraction of the prunable filters), built by the pipeline's filter pruner. */
  filterRatios: z.array(z.number().gt(0).lt(1)).default([0.05, 0.1, 0.2]),
  /** At most this many layer candidates (one per block the layer pruner may remove, in network order; default: all). */
  maxBlocks: z.number().int().positive().optional(),
  /** Block-importance criteria scored on the layer candidates beside the bench's metrics (low importance = remove). */
  blockCriteria: z.array(z.string().min(1)).default(['block-influence', 'block-angular', 'block-last']),
});

/** Parsed `study:` settings. */
export type StudySpec = z.output<typeof studySpecSchema>;
