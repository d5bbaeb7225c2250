export { pearson, spearman } from '@omniprune/criteria-similarity';

/**
 * Kendall's tau-b (ties in either sample corrected for, as scipy's `kendalltau` default); NaN when a sample is constant.
 * @example
 * kendall([1, 2, 3, 4], [10, 20, 40, 30]) // 0.6667
 */
export function kendall(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  let concordant = 0;
  let discordant = 0;
  let tiedX = 0;
  let tiedY = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign(x[j] - x[i]);
      const dy = Math.sign(y[j] - y[i]);
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiedX++;
      else if (dy === 0) tiedY++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  }
  const denominator = Math.sqrt((concordant + discordant + tiedX) * (concordant + discordant + tiedY));
  return denominator === 0 ? Number.NaN : (concordant - discordant) / denominator;
}
