/**
 * Rearrange `values` so that `values[k]` is its k-th smallest element (0-based), every element before it being
 * `<=` and every element after it `>=`; returns that element. Hoare's FIND (Wirth's form) with a median-of-three
 * pivot: O(length) on average, in place.
 */
export function selectKth(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const a = values[lo],
      b = values[k],
      c = values[hi];
    const pivot = a < b ? (b < c ? b : Math.max(a, c)) : a < c ? a : Math.max(b, c);
    let i = lo;
    let j = hi;
    do {
      while (values[i] < pivot) i++;
      while (pivot < values[j]) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) lo = i;
    if (k < i) hi = j;
  }
  return values[k];
}

/**
 * Median of all `n x n` entries of a symmetric matrix with a zero diagonal, given its `n(n-1)/2` strictly-upper
 * entries (all >= 0), as `np.median` of the full matrix computes it: the `n` diagonal zeros come first and every
 * off-diagonal value counts twice. `scratch` (same length as `upper`) is overwritten.
 */
export function medianWithZeroDiagonal(upper: Float64Array, n: number, scratch: Float64Array): number {
  scratch.set(upper);
  const at = (pos: number): number => (pos < n ? 0 : selectKth(scratch, Math.floor((pos - n) / 2)));
  const total = n * n;
  return total % 2 === 1 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
}
