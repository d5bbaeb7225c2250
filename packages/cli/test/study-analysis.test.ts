import { describe, expect, it } from 'vitest';
import type { CandidateOutcome, SeedStudy } from '../src/study/oracle.js';
import { analyzeStudy } from '../src/study/study-analysis.js';

function outcome(index: number, block: string | undefined, after: number, before: number, m: number, mBefore: number): CandidateOutcome {
  return {
    index,
    kind: block ? 'layer' : 'filter',
    summary: `c${index}`,
    block,
    flops: 1,
    accuracyBefore: before,
    accuracyAfter: after,
    scoresBefore: { m: mBefore },
    scoresAfter: { m },
    seconds: 0,
  };
}

/** Four candidates (three blocks, one filter step) with hand-chosen accuracies and scores. */
const seed1: SeedStudy = {
  seed: 1,
  outcomes: [
    outcome(0, 'b1', 0.85, 0.5, 0.9, 0.1),
    outcome(1, 'b2', 0.8, 0.6, 0.8, 0.2),
    outcome(2, 'b3', 0.82, 0.7, 0.7, 0.3),
    outcome(3, undefined, 0.7, 0.4, 0.6, 0.4),
  ],
  // importance: b3 least important (removing it should hurt least), b1 most
  blockImportance: { bi: { b1: 0.9, b2: 0.5, b3: 0.1 } },
};

describe('the oracle study analysis', () => {
  it('ranks a metric against the accuracy after fine-tuning: Spearman, Kendall, top-1 and regret hand-computed', () => {
    const [all, layer] = analyzeStudy([seed1], ['m'], ['bi']).filter((r) => r.scorer === 'm' && r.variant === 'fine-tuned');
    // x ranks [4, 3, 2, 1], accuracy ranks [4, 2, 3, 1]: rho = 1 - 6 * 2 / (4 * 15) = 0.8; 5 concordant of 6 pairs
    expect(all.pool).toBe('all');
    expect(all.candidates).toBe(4);
    expect(all.spearman.value).toBeCloseTo(0.8, 12);
    expect(all.kendall.value).toBeCloseTo(4 / 6, 12);
    expect(all.top1).toEqual({ agree: 1, of: 1 }); // the top score (c0) is the most accurate (0.85)
    expect(all.regret.mean).toBe(0);
    expect(all.spearman.low).toBeLessThanOrEqual(all.spearman.value);
    expect(all.spearman.high).toBeGreaterThanOrEqual(all.spearman.value);
    // the layer pool: b1..b3 only, x [0.9, 0.8, 0.7] vs accuracy [0.85, 0.80, 0.82]: rho = 0.5
    expect(layer.pool).toBe('layer');
    expect(layer.candidates).toBe(3);
    expect(layer.spearman.value).toBeCloseTo(0.5, 12);
  });

  it("scores layer candidates by minus a block criterion's importance and judges the no-fine-tune variant apart", () => {
    const results = analyzeStudy([seed1], ['m'], ['bi']);
    const bi = results.find((r) => r.scorer === 'bi' && r.variant === 'fine-tuned')!;
    // -importance [-0.9, -0.5, -0.1] vs accuracy [0.85, 0.80, 0.82]: ranks [1, 2, 3] vs [3, 1, 2] -> rho = -0.5
    expect(bi.spearman.value).toBeCloseTo(-0.5, 12);
    expect(bi.top1).toEqual({ agree: 0, of: 1 }); // it would remove b3 (0.82), the oracle b1 (0.85)
    expect(bi.regret.mean).toBeCloseTo(0.03, 12);
    // paired by seed against the first metric on the same pool and variant: -0.5 - 0.5 = -1 on the one seed
    expect(bi.versus?.reference).toBe('m');
    expect(bi.versus?.difference.mean).toBeCloseTo(-1, 12);
    expect(bi.versus?.test).toMatchObject({ n: 1, pValue: 1 });
    expect(results.find((r) => r.scorer === 'm')?.versus).toBeUndefined(); // the reference itself
    const noFinetune = results.find((r) => r.scorer === 'm' && r.pool === 'all' && r.variant === 'no fine-tune')!;
    // before: scores [0.1, 0.2, 0.3, 0.4] vs accuracy [0.5, 0.6, 0.7, 0.4]: ranks [1,2,3,4] vs [2,3,4,1], d = [-1,-1,-1,3] -> rho = 1 - 6 * 12 / 60 = -0.2
    expect(noFinetune.spearman.value).toBeCloseTo(-0.2, 12);
  });

  it('averages over seeds and keeps the interval around the mean', () => {
    const seed2: SeedStudy = { ...seed1, seed: 2, outcomes: seed1.outcomes.map((o) => ({ ...o, scoresAfter: { m: -o.scoresAfter.m } })) };
    const [all] = analyzeStudy([seed1, seed2], ['m'], []);
    expect(all.spearman.value).toBeCloseTo(0, 12); // +0.8 and -0.8
    expect(all.top1.of).toBe(2);
    expect(all.spearman.low).toBeLessThan(0);
    expect(all.spearman.high).toBeGreaterThan(0);
    expect(all.perSeed.map((v) => Number(v.toFixed(12)))).toEqual([0.8, -0.8]);
  });
});
