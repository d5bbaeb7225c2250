import { z } from 'zod';
import { regexOption } from '@omniprune/plugin-api';

/**
 * How many units (filters/neurons) a filter candidate removes.
 * - `match-layer` (default): as many as the layer candidate proposed earlier in the iteration (its `removedUnits`),
 *   as the reference code does; without one, `round(fallbackRatio x prunable units)`.
 * - `ratio`: `round(ratio x prunable units)` of the parent.
 * - `flops`: the fewest units whose removal cuts the estimated FLOPs (MACs) by `fraction` of the parent's.
 * - `latency`: removal sized by measured time: candidates of growing FLOPs budgets are built and timed against the
 *   parent (interleaved, on the run's inference runner, at `batchSize`) until one is `fraction` faster; see
 *   `latency-budget.ts`. Timings vary between runs, so the same seed can give different candidates.
 * @example
 * budgetSchema.parse({ type: 'ratio', ratio: 0.1 })
 */
export const budgetSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('match-layer'),
    /**
     * Share of the units removed when no layer candidate exists this iteration: of the prunable units
     * (`proportional`), of all convolution filters (`reference`; the authors' code uses 0.5). Default 0.05.
     */
    fallbackRatio: z.number().min(0).max(1).default(0.05),
    /**
     * How the count is spread over groups. `proportional` (default): `p = count / prunable units`, `round(p x size)`
     * per group, the remainder one unit at a time at seeded random groups (each at most once per round).
     * `reference` (the authors' code): `p = count / all convolution filters of the model` (stem and projection convs
     * included), `round(p x size)` per group, then single units at uniformly random groups until the count is exact.
     */
    allocation: z.enum(['proportional', 'reference']).default('proportional'),
  }),
  z.strictObject({
    type: z.literal('ratio'),
    /** Share of the parent's prunable units to remove, in (0, 1). */
    ratio: z.number().gt(0).lt(1),
  }),
  z.strictObject({
    type: z.literal('flops'),
    /** Share of the parent's FLOPs to remove, in (0, 1). */
    fraction: z.number().gt(0).lt(1),
  }),
  z.strictObject({
    type: z.literal('latency'),
    /** Share of the parent's measured forward time to remove, in (0, 1). */
    fraction: z.number().gt(0).lt(1),
    /** Batch size timed. Default 1 (interactive inference); 64 for throughput. */
    batchSize: z.number().int().min(1).default(1),
    /** Candidates built and timed at most. Default 4. */
    probes: z.number().int().min(1).max(12).default(4),
    /** Timing per model and probe, seconds (at least 5 interleaved rounds). Default 0.5. */
    secondsPerProbe: z.number().positive().finite().default(0.5),
  }),
]);

/** A parsed budget, see {@link budgetSchema}. */
export type FilterBudget = z.output<typeof budgetSchema>;

/**
 * Options of the `filter` pruner. Defaults follow the reference code (L1 scores here, KL there: KL costs one
 * forward pass per channel).
 * @example
 * filterPrunerOptions.parse({ criterion: 'kl', criterionOptions: { samplesPerClass: 100 }, budget: { type: 'match-layer' } })
 */
export const filterPrunerOptions = z.strictObject({
  /** Channel-importance criterion plugin: `l1` (default), `l2`, `bn-scale`, `kl`, `random`, or a third-party one. */
  criterion: z.string().min(1).default('l1'),
  /** Options passed to the criterion (validated by its schema). Default `{}`. */
  criterionOptions: z.record(z.string(), z.unknown()).default({}),
  /** How many units to remove. Default `{ type: 'match-layer', fallbackRatio: 0.05, allocation: 'proportional' }`. */
  budget: budgetSchema.default({ type: 'match-layer', fallbackRatio: 0.05, allocation: 'proportional' }),
  /**
   * Also prune residual-stream groups (channels tied by adds, pruned together) and inexact groups (coupled by
   * LayerNorm/softmax). Default false: only groups like the first conv of each residual block, as in the paper.
   */
  residual: z.boolean().default(false),
  /** Only groups whose id matches this regular expression. */
  include: regexOption.optional(),
  /** Never groups whose id matches this regular expression. */
  exclude: regexOption.optional(),
  /** Channels every group keeps. Default 1. */
  minChannels: z.number().int().min(1).default(1),
  /**
   * Hardware-friendly widths: every group a candidate prunes keeps a multiple of this many channels (or its full
   * width), the total removed as close to the budget as whole multiples allow. CPU kernels (oneDNN, onnxruntime's
   * NCHWc) block channels by 8 or 16, so a layer cut from 16 to 10 channels costs what 16 did. Default 8; 1 turns it
   * off (the paper's reference code does not round).
   */
  roundTo: z.number().int().min(1).default(8),
});

/** Parsed options of the `filter` pruner. */
export type FilterPrunerOptions = z.output<typeof filterPrunerOptions>;
