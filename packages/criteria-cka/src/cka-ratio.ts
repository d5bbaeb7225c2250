/**
 * The value every metric of this package returns for a degenerate input instead of NaN: a representation with
 * zero variance (every sample has the same features, e.g. a layer whose units are all dead), or, for the unbiased
 * estimators, a self-similarity estimate that is not positive (possible only with very few samples).
 * 0 means "no shared structure", so a collapsed candidate never wins a similarity-based selection.
 * @example
 * linearCKA(x, constantFeatures) === DEGENERATE_CKA // true (0)
 */
export const DEGENERATE_CKA = 0;

/** `xy / sqrt(xx * yy)`, or {@link DEGENERATE_CKA} when either normaliser is not positive. */
export function ckaRatio(xy: number, xx: number, yy: number): number {
  if (!(xx > 0 && yy > 0)) return DEGENERATE_CKA;
  const value = xy / (Math.sqrt(xx) * Math.sqrt(yy));
  return Number.isFinite(value) ? value : DEGENERATE_CKA;
}
