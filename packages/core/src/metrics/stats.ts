/**
 * The `p`-th percentile (0..100) of `values`, linearly interpolated between the closest ranks (numpy's default):
 * position `p / 100 * (n - 1)` in the sorted values. NaN for no values.
 * @example
 * percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) // 9.1
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * The median of `values` (the mean of the two middle values for an even count). NaN for no values.
 * @example
 * median([5, 1, 3, 2]) // 2.5
 */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
