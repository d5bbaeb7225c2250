import binomialTest from '@stdlib/stats-binomial-test';
import wilcoxon from '@stdlib/stats-wilcoxon';

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

/**
 * Wilcoxon signed-rank test of paired differences against 0 (two-sided; exact distribution below 50 pairs, zero
 * differences dropped as in Wilcoxon's method), by `@stdlib/stats-wilcoxon`.
 * @example
 * wilcoxonSignedRank([0.4, 0.2, 0.5, 0.1, 0.3, 0.6]).pValue // 0.03125
 */
export function wilcoxonSignedRank(differences: readonly number[]): PairedTest {
  const nonZero = differences.filter((d) => d !== 0);
  // one difference: either sign has probability 1/2, so the two-sided p is 1 (stdlib wants at least two)
  if (nonZero.length < 2) return { n: nonZero.length, pValue: 1, minimumPValue: minimumPValue(nonZero.length) };
  const result = wilcoxon(nonZero, { zeroMethod: 'wilcox', exact: nonZero.length < 50 });
  return { n: nonZero.length, pValue: result.pValue, minimumPValue: minimumPValue(nonZero.length) };
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
