import { describe, expect, it } from 'vitest';
import { createRng } from '@omniprune/core';
import { allocateBudget, unitBudget } from '../src/index.js';
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
    expect(unitBudget({ type: 'match-layer', fallbackRatio: 0.05 }, 336, [layerCandidate(24)])).toEqual({ count: 24 });
    const other = { ...layerCandidate(99), kind: 'head' };
    expect(unitBudget({ type: 'match-layer', fallbackRatio: 0.05 }, 336, [other, layerCandidate(10), layerCandidate(12)]).count).toBe(12);
    const fallback = unitBudget({ type: 'match-layer', fallbackRatio: 0.05 }, 336, [other]);
    expect(fallback.count).toBe(17);
    expect(fallback.note).toMatch(/no layer candidate/);
  });

  it('ratio is a share of the prunable units', () => {
    expect(unitBudget({ type: 'ratio', ratio: 0.1 }, 336, [layerCandidate(5)])).toEqual({ count: 34 });
  });
});
