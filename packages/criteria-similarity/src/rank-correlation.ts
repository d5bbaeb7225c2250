/**
 * Ranks 1..n with ties sharing their average rank (as scipy's `rankdata`), the ranks Spearman's correlation uses.
 * @example
 * averageRanks([10, 20, 20, 5]) // Float64Array [2, 3.5, 3.5, 1]
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Float64Array(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    for (let k = i; k <= j; k++) out[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

/**
 * Pearson's correlation of two equally long samples; NaN when either is constant or they hold fewer than 2 values.
 * @example
 * pearson([1, 2, 3], [2, 4, 7]) // 0.9934
 */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n < 2 || b.length !== n) return Number.NaN;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? Number.NaN : sab / Math.sqrt(saa * sbb);
}

/**
 * Spearman's rank correlation: Pearson's correlation of the average ranks (ties as scipy's `spearmanr`).
 * @example
 * spearman([1, 2, 3, 4], [10, 20, 40, 30]) // 0.8
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(averageRanks(a), averageRanks(b));
}
