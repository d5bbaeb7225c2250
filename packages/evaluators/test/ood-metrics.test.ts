import { createRng } from '@omniprune/core/util';
import { isOmnipruneError } from '@omniprune/core';
import { describe, expect, it } from 'vitest';
import { auroc, energyIsDegenerate, fprAtTpr, oodScores } from '../src/ood/index.js';

/** AUROC by definition: over all pairs, 1 when in > out, 1/2 when equal. */
function pairwiseAuroc(inScores: number[], outScores: number[]): number {
  let s = 0;
  for (const a of inScores) for (const b of outScores) s += a > b ? 1 : a === b ? 0.5 : 0;
  return s / (inScores.length * outScores.length);
}

describe('auroc', () => {
  it('is 1 for a perfect separator, 0 for a reversed one, 0.5 for identical distributions', () => {
    expect(auroc([5, 6, 7], [1, 2, 3, 4])).toBe(1);
    expect(auroc([1, 2, 3, 4], [5, 6, 7])).toBe(0);
    expect(auroc([1, 2, 3], [1, 2, 3])).toBe(0.5);
    expect(auroc([2, 2, 2], [2, 2])).toBe(0.5);
  });

  it('counts ties as 1/2 (Mann-Whitney)', () => {
    // pairs: (1,1) tie, (1,0) win, (2,1) win, (2,0) win -> 3.5 / 4
    expect(auroc([1, 2], [1, 0])).toBe(0.875);
  });

  it('matches the pairwise definition on random scores with many ties', () => {
    const rng = createRng(4);
    const a = Array.from({ length: 57 }, () => rng.int(6));
    const b = Array.from({ length: 43 }, () => rng.int(5) - 1);
    expect(auroc(a, b)).toBeCloseTo(pairwiseAuroc(a, b), 12);
    expect(auroc(b, a)).toBeCloseTo(1 - auroc(a, b), 12);
  });

  it('rejects empty score lists', () => {
    expect(() => auroc([], [1])).toThrow(/at least one/);
    expect(
      isOmnipruneError(
        (() => {
          try {
            auroc([1], []);
          } catch (e) {
            return e;
          }
        })(),
        'E_BAD_INPUT',
      ),
    ).toBe(true);
  });
});

describe('fprAtTpr', () => {
  it('takes the threshold accepting 95% of in-distribution scores (worked by hand)', () => {
    const inScores = Array.from({ length: 20 }, (_, i) => i + 1); // 1..20; 19 of 20 accepted at threshold 2
    expect(fprAtTpr(inScores, [0.5, 1.5, 2.5, 10, 19.5], 0.95)).toBe(3 / 5);
    expect(fprAtTpr([1, 2, 3, 4], [2.5, 0], 0.75)).toBe(0.5); // threshold 2
    expect(fprAtTpr([1, 2, 3, 4], [2, 0], 0.75)).toBe(0.5); // an OOD score equal to the threshold is accepted
  });

  it('is 0 for a perfect separator and 1 for a reversed one', () => {
    expect(fprAtTpr([5, 6, 7], [1, 2, 3])).toBe(0);
    expect(fprAtTpr([1, 2, 3], [5, 6, 7])).toBe(1);
  });

  it('rejects a TPR outside (0, 1]', () => {
    expect(() => fprAtTpr([1], [1], 0)).toThrow(/true-positive rate/);
    expect(() => fprAtTpr([1], [1], 1.5)).toThrow(/true-positive rate/);
  });
});

describe('oodScores', () => {
  it('gives the max softmax probability and logsumexp per row', () => {
    const logits = Float32Array.of(0, 0, Math.log(3), 0, 100, 100);
    const { msp, energy } = oodScores(logits, 2);
    expect(Array.from(msp)).toEqual([0.5, expect.closeTo(0.75, 6), 0.5]);
    expect(energy[0]).toBeCloseTo(Math.log(2), 6);
    expect(energy[1]).toBeCloseTo(Math.log(4), 6);
    expect(energy[2]).toBeCloseTo(100 + Math.log(2), 4);
  });

  it('MSP is invariant to a per-row constant; the energy score is not', () => {
    const a = oodScores(Float32Array.of(1, 2, 3), 3);
    const b = oodScores(Float32Array.of(11, 12, 13), 3);
    expect(b.msp[0]).toBeCloseTo(a.msp[0], 6);
    expect(b.energy[0] - a.energy[0]).toBeCloseTo(10, 5);
  });

  it('energyIsDegenerate detects log-probabilities (logsumexp 0) but not logits', () => {
    const logProbs = Float32Array.from([0.2, 0.3, 0.5, 0.9, 0.05, 0.05], Math.log);
    expect(energyIsDegenerate(oodScores(logProbs, 3).energy)).toBe(true);
    expect(energyIsDegenerate(oodScores(Float32Array.of(1, 2, 3, 0, 0, 0), 3).energy)).toBe(false);
    expect(energyIsDegenerate([])).toBe(false);
  });
});
