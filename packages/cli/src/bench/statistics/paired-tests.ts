import binomialTest from '@stdlib/stats-binomial-test';
import wilcoxon from '@stdlib/stats-wilcoxon';
import { averageRanks } from '@omniprune/criteria-similarity';

/** A paired test's result: the two-sided p-value and the differences it saw. */
export interface PairedTest {
  /** Pairs with a non-zero difference (the ones the tests count). */
  readonly n: number;
  readonly pValue: number;
  /** The smallest two-sided p-value any outcome of `n` pairs could give: at or above 0.05 nothing can be shown. */
  readonly minimumPValue: number;
}

/** The smallest two-sided p of an exact sign or signed-rank test on `n` non-zero differences: every sign alike. */
export function minimumPValue(n: number): number {
  return n === 0 ? 1 : Math.min(1, 2 / 2 ** n);
}

/** Pairs up to which the signed-rank test enumerates every sign assignment (2^20 sums): exact, ties included. */
const ENUMERATED = 20;

/**
 * The exact two-sided p of the signed-rank statistic by enumerating the 2^n equally likely sign assignments of the
 * (average) ranks of |d|: exact with tied magnitudes too, where the tabled distribution assumes none.
 */
function enumeratedSignedRank(nonZero: readonly number[]): number {
  const ranks = averageRanks(nonZero.map(Math.abs));
  const observed = nonZero.reduce((sum, d, i) => sum + (d > 0 ? ranks[i] : 0), 0);
  let below = 0;
  let above = 0;
  const total = 2 ** nonZero.length;
  for (let mask = 0; mask < total; mask++) {
    let t = 0;
    for (let i = 0; i < nonZero.length; i++) if (mask & (1 << i)) t += ranks[i];
    if (t <= observed + 1e-9) below++;
    if (t >= observed - 1e-9) above++;
  }
  return Math.min(1, (2 * Math.min(below, above)) / total);
}

/**
 * Wilcoxon signed-rank test of paired differences against 0 (two-sided, zero differences dropped as in Wilcoxon's
 * method): exact by enumeration up to 20 pairs (tied magnitudes included), else `@stdlib/stats-wilcoxon` (its exact
 * distribution below 50 pairs, a normal approximation above).
 * @example
 * wilcoxonSignedRank([0.4, 0.2, 0.5, 0.1, 0.3, 0.6]).pValue // 0.03125
 */
export function wilcoxonSignedRank(differences: readonly number[]): PairedTest {
  const nonZero = differences.filter((d) => d !== 0);
  const n = nonZero.length;
  if (n === 0) return { n, pValue: 1, minimumPValue: 1 };
  const pValue = n <= ENUMERATED ? enumeratedSignedRank(nonZero) : wilcoxon(nonZero, { zeroMethod: 'wilcox' }).pValue;
  return { n, pValue, minimumPValue: minimumPValue(n) };
}

/**
 * Sign test of paired differences against 0 (two-sided exact binomial test of the positive count, zeros dropped), by
 * `@stdlib/stats-binomial-test`.
 * @example
 * signTest([1, 1, 1, 1, 1, 1]).pValue // 0.03125
 */
export function signTest(differences: readonly number[]): PairedTest {
  const nonZero = differences.filter((d) => d !== 0);
  if (nonZero.length === 0) return { n: 0, pValue: 1, minimumPValue: 1 };
  const positive = nonZero.filter((d) => d > 0).length;
  const result = binomialTest(positive, nonZero.length, { p: 0.5, alternative: 'two-sided' });
  return { n: nonZero.length, pValue: result.pValue, minimumPValue: minimumPValue(nonZero.length) };
}

/**
 * Holm's step-down adjustment of p-values for testing several metrics at once (family-wise error), in input order.
 * @example
 * holm([0.01, 0.04, 0.03]) // [0.03, 0.06, 0.06]
 */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
