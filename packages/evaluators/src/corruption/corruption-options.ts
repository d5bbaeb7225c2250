import { z } from 'zod';
import { CORRUPTION_NAMES, MAX_SEVERITY } from './corrupt.js';

const distinct = <T>(values: T[]): boolean => new Set(values).size === values.length;

/** Options of the `corruption` evaluator. */
export const corruptionOptions = z.strictObject({
  /** Corruptions to apply. Default all of `CORRUPTION_NAMES` (13). */
  corruptions: z
    .array(z.enum(CORRUPTION_NAMES))
    .min(1)
    .default([...CORRUPTION_NAMES])
    .refine(distinct, { message: 'corruptions must be distinct' }),
  /** Severities, integers 0..5 (0 = the identity). Default `[1, 2, 3, 4, 5]`. */
  severities: z.array(z.int().min(0).max(MAX_SEVERITY)).min(1).default([1, 2, 3, 4, 5]).refine(distinct, { message: 'severities must be distinct' }),
  /** Test images corrupted: a stratified subset drawn with the run seed. Default 1000. */
  samples: z.int().positive().default(1000),
  /** Images corrupted and handed to the inference runner at once (bounds memory). Default 500. */
  batchSize: z.int().positive().default(500),
});

/** Options of the `corruption` evaluator as written in a pipeline. */
export type CorruptionOptionsInput = z.input<typeof corruptionOptions>;

/** Parsed options of the `corruption` evaluator. */
export type CorruptionOptions = z.output<typeof corruptionOptions>;

/** What the evaluator stores in `details` (and reads back from the reference's result). */
export const corruptionDetailsSchema = z.object({
  samples: z.number(),
  cleanError: z.number(),
  severities: z.array(z.number()),
  errors: z.record(z.string(), z.array(z.number())),
});

/** The `details` of a `corruption` evaluation. */
export type CorruptionDetails = z.output<typeof corruptionDetailsSchema> & {
  ce?: Record<string, number>;
  relativeCE?: Record<string, number>;
};
