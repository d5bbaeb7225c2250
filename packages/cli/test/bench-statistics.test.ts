import { describe, expect, it } from 'vitest';
import { averageRanks, bootstrap, holm, kendall, minimumPValue, signTest, spearman, wilcoxonSignedRank } from '../src/bench/statistics/index.js';

// reference values: scipy 1.17 (spearmanr, kendalltau, wilcoxon, binomtest), computed once and written here
describe('the metric bench statistics', () => {
  it('ranks ties by their mean rank', () => {
    expect(Array.from(averageRanks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
  });

  it("computes Spearman's rho and Kendall's tau-b as scipy does, ties included", () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 40, 30])).toBeCloseTo(0.8, 12); // 1 - 6 * 2 / (4 * 15)
    expect(kendall([1, 2, 3, 4], [10, 20, 40, 30])).toBeCloseTo(4 / 6, 12); // 5 concordant, 1 discordant pair
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(0.9486832980505139, 12);
    expect(kendall([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(0.912870929175277, 12);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN(); // a constant score ranks nothing
  });

  it('gives the exact percentile bootstrap interval where it can be enumerated', () => {
    // two values: resampled means are 0, 0.5, 1 with probability 1/4, 1/2, 1/4, so the 95 % interval is [0, 1]
    const x = [0, 1];
    const mean = (idx: readonly number[]) => idx.reduce((s, i) => s + x[i], 0) / idx.length;
    const e = bootstrap(2, mean, { resamples: 4000, seed: 3 });
    expect(e).toEqual({ value: 0.5, low: 0, high: 1, level: 0.95 });
    // one value: every resample is the sample
    expect(bootstrap(1, () => 7, { resamples: 50 })).toEqual({ value: 7, low: 7, high: 7, level: 0.95 });
    // the same seed resamples the same way
    const y = [3, 1, 4, 1, 5, 9, 2, 6];
    const m = (idx: readonly number[]) => idx.reduce((s, i) => s + y[i], 0) / idx.length;
    expect(bootstrap(8, m, { seed: 5 })).toEqual(bootstrap(8, m, { seed: 5 }));
    expect(bootstrap(8, m, { seed: 5 }).low).toBeLessThan(m([0, 1, 2, 3, 4, 5, 6, 7]));
  });

  it('gives the exact two-sided p-values of the Wilcoxon signed-rank and sign tests', () => {
    // Fisher's paired differences (scipy.stats.wilcoxon: statistic 24, p 0.041259765625)
    expect(wilcoxonSignedRank([6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]).pValue).toBeCloseTo(0.041259765625, 10);
    expect(wilcoxonSignedRank([0.4, 0.2, 0.5, 0.1, 0.3, 0.6]).pValue).toBeCloseTo(2 / 64, 12);
    expect(signTest([1, 1, 1, 1, 1, 1]).pValue).toBeCloseTo(2 / 64, 12);
    expect(signTest([1, 1, 1, 1, 1, 1, 1, 1, -1, -1]).pValue).toBeCloseTo(0.109375, 10); // binomtest(8, 10)
    expect(signTest([0, 0, 1, -1]).n).toBe(2); // zero differences are dropped
    expect(wilcoxonSignedRank([0.3]).pValue).toBe(1); // one pair: either sign is as likely
    expect(wilcoxonSignedRank([0, 0]).pValue).toBe(1);
    // tied magnitudes, every sign alike: exact enumeration gives 2 / 2^5, never below what 5 pairs allow
    expect(wilcoxonSignedRank([0.1, 0.1, 0.1, 0.1, 0.1]).pValue).toBeCloseTo(2 / 32, 12);
    expect(wilcoxonSignedRank([0.1, 0.1, 0.2, 0.2, 0.3]).pValue).toBeGreaterThanOrEqual(minimumPValue(5));
    // above 20 pairs, @stdlib's exact distribution: every sign positive on 25 pairs is 2 / 2^25 (scipy: the same)
    expect(wilcoxonSignedRank(Array.from({ length: 25 }, (_, i) => i + 1)).pValue).toBeCloseTo(2 / 2 ** 25, 15);
  });

  it('says when n is too small for any result to reach p < 0.05', () => {
    expect(minimumPValue(3)).toBe(0.25);
    expect(minimumPValue(5)).toBe(0.0625);
    expect(minimumPValue(6)).toBeLessThan(0.05);
    expect(signTest([1, 1, 1]).minimumPValue).toBe(0.25);
  });

  it("adjusts p-values across metrics with Holm's step-down method", () => {
    expect(holm([0.01, 0.04, 0.03]).map((p) => Number(p.toFixed(10)))).toEqual([0.03, 0.06, 0.06]);
    expect(holm([0.5, 0.9])).toEqual([1, 1]); // 2 x 0.5 = 1, and an adjusted p never falls below an earlier one
  });
});
