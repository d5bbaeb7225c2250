import { describe, expect, it } from 'vitest';
import { createRng } from '@omniprune/core/util';
import { allocateBudget, allocateReference, unitBudget } from '../src/index.js';
import { layerCandidate } from './helpers.js';

const slots = (sizes: number[], keep = 1) => sizes.map((size) => ({ size, maxRemovable: Math.max(0, size - keep) }));

describe('allocateBudget', () => {
  it('removes round(p x size) per group when the rounding adds up', () => {
    expect(allocateBudget(slots([16, 32]), 6, createRng(1))).toEqual([2, 4]);
    expect(allocateBudget(slots([16, 16, 16, 32, 32, 32, 64, 64, 64]), 24, createRng(1))).toEqual([1, 1, 1, 2, 2, 2, 5, 5, 5]);
  });

  it('tops up or trims at random groups until the count is exact', () => {
    for (const count of [1, 2, 5, 7, 25, 100, 250, 320]) {
      const sizes = [16, 16, 16, 32, 32, 32, 64, 64, 64];
      const counts = allocateBudget(slots(sizes), count, createRng(count));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(count);
      const p = count / 336;
      counts.forEach((k, i) => {
        expect(k).toBeLessThanOrEqual(sizes[i] - 1);
        expect(Math.abs(k - p * sizes[i])).toBeLessThan(1.5);
      });
    }
  });

  it('keeps the minimum per group and caps the count at what can be removed', () => {
    const counts = allocateBudget(slots([4, 8], 3), 100, createRng(1));
    expect(counts).toEqual([1, 5]);
    expect(allocateBudget(slots([4, 8]), 0, createRng(1))).toEqual([0, 0]);
    expect(allocateBudget([], 5, createRng(1))).toEqual([]);
  });

  it('is deterministic for a seed', () => {
    const a = allocateBudget(slots([10, 10, 10, 10, 10, 10, 10]), 3, createRng(7));
    expect(allocateBudget(slots([10, 10, 10, 10, 10, 10, 10]), 3, createRng(7))).toEqual(a);
  });
});

describe('unitBudget', () => {
  it('match-layer copies the last layer candidate, else falls back to a ratio', () => {
    expect(unitBudget({ type: 'match-layer', fallbackRatio: 0.05, allocation: 'proportional' }, 336, [layerCandidate(24)])).toEqual({ count: 24 });
    const other = { ...layerCandidate(99), kind: 'head' as const };
    expect(
      unitBudget({ type: 'match-layer', fallbackRatio: 0.05, allocation: 'proportional' }, 336, [other, layerCandidate(10), layerCandidate(12)]).count,
    ).toBe(12);
    const fallback = unitBudget({ type: 'match-layer', fallbackRatio: 0.05, allocation: 'proportional' }, 336, [other]);
    expect(fallback.count).toBe(17);
    expect(fallback.note).toMatch(/no layer candidate/);
  });

  it('ratio is a share of the prunable units', () => {
    expect(unitBudget({ type: 'ratio', ratio: 0.1 }, 336, [layerCandidate(5)])).toEqual({ count: 34 });
  });
});

describe("allocateReference (the authors' rule)", () => {
  // ResNet-20: 784 conv filters in all (stem 16, 18 block convs 6x16 + 6x32 + 6x64, projections 32 + 64);
  // prunable: the first conv of each of the 9 blocks, 3x16 + 3x32 + 3x64 = 336 units.
  const resnet20 = slots([16, 16, 16, 32, 32, 32, 64, 64, 64]);

  it('rounds p = removed / all filters per layer, then adds single filters at random layers to the exact count', () => {
    // a layer candidate removed a stage-1 block: 32 filters. p = 32 / 784; round(p x [16, 32, 64]) = [1, 1, 3]
    const base = [1, 1, 1, 1, 1, 1, 3, 3, 3]; // 15, so 17 single filters go to random layers
    for (const seed of [1, 2, 3]) {
      const counts = allocateReference(resnet20, 32, 784, createRng(seed));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(32);
      counts.forEach((k, i) => expect(k).toBeGreaterThanOrEqual(base[i]));
    }
    expect(allocateReference(resnet20, 32, 784, createRng(5))).toEqual(allocateReference(resnet20, 32, 784, createRng(5)));
    // the proportional default spreads over the prunable units only: p = 32 / 336, round -> [2, 3, 6] = 33, one taken back
    const proportional = allocateBudget(resnet20, 32, createRng(1));
    expect(proportional.reduce((a, b) => a + b, 0)).toBe(32);
    proportional.forEach((k, i) => expect(k).toBeGreaterThanOrEqual([2, 2, 2, 3, 3, 3, 6, 6, 6][i] - 1));
  });

  it('takes p from the count asked for even when it must be capped (each layer keeps one filter)', () => {
    // no layer candidate: the reference removes half of all filters, 392 > the 327 removable; p = 0.5 -> [8, 16, 32]
    const counts = allocateReference(resnet20, 392, 784, createRng(1));
    expect(counts).toEqual([15, 15, 15, 31, 31, 31, 63, 63, 63]);
    // p = 8 / 64: round(0.125 x 16) = 2 per layer, 4 more at random layers
    const small = allocateReference(slots([16, 16]), 8, 64, createRng(1));
    expect(small[0] + small[1]).toBe(8);
    expect(Math.min(...small)).toBeGreaterThanOrEqual(2);
  });

  it('falls back to fallbackRatio x all filters without a layer candidate', () => {
    const b = unitBudget({ type: 'match-layer', fallbackRatio: 0.5, allocation: 'reference' }, 336, [], 784);
    expect(b.count).toBe(392);
    expect(b.note).toMatch(/0\.5 x 784 filters = 392/);
  });
});
