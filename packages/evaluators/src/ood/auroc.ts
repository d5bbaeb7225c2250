import { OmnipruneError } from '@omniprune/core';

function checkScores(inScores: ArrayLike<number>, outScores: ArrayLike<number>, what: string): void {
  if (inScores.length === 0 || outScores.length === 0) {
    throw new OmnipruneError('E_BAD_INPUT', `${what} needs at least one in-distribution and one out-of-distribution score`, {
      plugin: 'evaluator:ood',
      hint: 'give both score lists at least one entry',
    });
  }
}

/**
 * Area under the ROC curve of separating in-distribution (positive, higher score) from out-of-distribution samples:
 * the Mann-Whitney statistic P(in > out) + 1/2 P(in = out), computed from ranks in O(n log n). 1 = perfect separation,
 * 0.5 = chance (or identical distributions), 0 = perfectly reversed.
 * @example
 * auroc([3, 4], [1, 2]) // 1
 * auroc([1, 2], [1, 2]) // 0.5
 */
export function auroc(inScores: ArrayLike<number>, outScores: ArrayLike<number>): number {
  checkScores(inScores, outScores, 'auroc');
  const n = inScores.length;
  const m = outScores.length;
  const all: { v: number; positive: boolean }[] = [];
  for (let i = 0; i < n; i++) all.push({ v: inScores[i], positive: true });
  for (let i = 0; i < m; i++) all.push({ v: outScores[i], positive: false });
  all.sort((a, b) => a.v - b.v);
  // Sum of the (1-based, tie-averaged) ranks of the positives.
  let rankSum = 0;
  for (let start = 0; start < all.length; ) {
    let end = start;
    while (end + 1 < all.length && all[end + 1].v === all[start].v) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) if (all[k].positive) rankSum += rank;
    start = end + 1;
  }
  return (rankSum - (n * (n + 1)) / 2) / (n * m);
}

/**
 * False-positive rate at a true-positive rate of at least `tpr` (the OOD literature's FPR95 with `tpr = 0.95`): the
 * threshold is the highest score that still accepts `ceil(tpr * n)` in-distribution samples (`score >= threshold`),
 * and the result is the fraction of out-of-distribution scores at or above it. Lower is better.
 * @example
 * fprAtTpr([1, 2, 3, 4], [2.5, 0], 0.75) // threshold 2: 1 of 2 OOD scores >= 2 -> 0.5
 */
export function fprAtTpr(inScores: ArrayLike<number>, outScores: ArrayLike<number>, tpr = 0.95): number {
  checkScores(inScores, outScores, 'fprAtTpr');
  if (!(tpr > 0 && tpr <= 1)) {
    throw new OmnipruneError('E_BAD_INPUT', `fprAtTpr needs a true-positive rate in (0, 1], got ${tpr}`, {
      plugin: 'evaluator:ood',
      hint: 'use e.g. 0.95',
    });
  }
  const sorted = Float64Array.from(inScores).sort().reverse();
  const threshold = sorted[Math.ceil(tpr * sorted.length - 1e-9) - 1];
  let accepted = 0;
  for (let i = 0; i < outScores.length; i++) if (outScores[i] >= threshold) accepted++;
  return accepted / outScores.length;
}
