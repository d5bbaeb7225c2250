/** Errors of one model on the corruption suite: what the `corruption` evaluator keeps in `details`. */
export interface CorruptionErrors {
  /** Error rate (1 - accuracy) on the clean images. */
  readonly cleanError: number;
  /** The severities evaluated, in order. */
  readonly severities: readonly number[];
  /** Per corruption, the error rate at each of {@link CorruptionErrors.severities}. */
  readonly errors: Readonly<Record<string, readonly number[]>>;
}

/** Corruption errors relative to a reference model (Hendrycks & Dietterich 2019). */
export interface CorruptionErrorRates {
  /** Per corruption `CE_c`; 1 = as many errors as the reference. */
  readonly ce: Record<string, number>;
  /** Per corruption relative `CE_c`; 1 = the same drop from clean as the reference. */
  readonly relativeCE: Record<string, number>;
  /** Mean of `ce` over the corruptions where it is defined; NaN when none is. */
  readonly mCE: number;
  /** Mean of `relativeCE` over the corruptions where it is defined; NaN when none is. */
  readonly relativeMCE: number;
  /** Corruptions left out of a mean, and why. */
  readonly skipped: string[];
}

const mean = (values: number[]): number => (values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length);

/**
 * Corruption error of `model` against `reference` (Hendrycks & Dietterich 2019), over the corruptions and severities
 * both evaluated, with `E` error rates (fractions, not percent, so 1 means "as good as the reference"):
 *
 * - `CE_c = sum_s E_model(c, s) / sum_s E_ref(c, s)` and `mCE = mean_c CE_c`;
 * - `relative CE_c = sum_s (E_model(c, s) - E_model(clean)) / sum_s (E_ref(c, s) - E_ref(clean))`,
 *   `relative mCE = mean_c relative CE_c` (the degradation from clean, compared).
 *
 * A corruption whose reference denominator is not positive (no reference errors; no reference degradation) has no
 * (relative) CE; it is listed in `skipped` and left out of the mean. A model compared with itself scores 1 and 1.
 * @example
 * corruptionErrorRates(pruned, base) // { mCE: 1.08, relativeMCE: 1.21, ce: { fog: 1.1, ... }, ... }
 */
export function corruptionErrorRates(model: CorruptionErrors, reference: CorruptionErrors): CorruptionErrorRates {
  const ce: Record<string, number> = {};
  const relativeCE: Record<string, number> = {};
  const skipped: string[] = [];
  for (const [corruption, errors] of Object.entries(model.errors)) {
    const referenceErrors = reference.errors[corruption];
    if (referenceErrors === undefined) {
      skipped.push(`${corruption}: not evaluated on the reference`);
      continue;
    }
    let [sum, referenceSum, drop, referenceDrop] = [0, 0, 0, 0];
    let shared = 0;
    model.severities.forEach((severity, s) => {
      const r = reference.severities.indexOf(severity);
      if (r < 0) return;
      shared++;
      sum += errors[s];
      referenceSum += referenceErrors[r];
      drop += errors[s] - model.cleanError;
      referenceDrop += referenceErrors[r] - reference.cleanError;
    });
    if (shared === 0) skipped.push(`${corruption}: no severity evaluated on both models`);
    else if (!(referenceSum > 0)) skipped.push(`${corruption}: the reference makes no errors, CE undefined`);
    else ce[corruption] = sum / referenceSum;
    if (shared > 0 && !(referenceDrop > 0)) skipped.push(`${corruption}: the reference is not degraded, relative CE undefined`);
    else if (shared > 0) relativeCE[corruption] = drop / referenceDrop;
  }
  return { ce, relativeCE, mCE: mean(Object.values(ce)), relativeMCE: mean(Object.values(relativeCE)), skipped };
}
