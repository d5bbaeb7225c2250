import { describe, expect, it } from 'vitest';
import { allowedRemovals, roundRemovals, type BudgetSlot } from '../src/index.js';

const slot = (size: number, minChannels = 1): BudgetSlot => ({ size, maxRemovable: Math.max(0, size - minChannels) });

describe('hardware-friendly widths (roundTo)', () => {
  it('lists the removals that leave a multiple of roundTo (or the full width)', () => {
    expect(allowedRemovals(slot(20), 8)).toEqual([0, 4, 12]);
    expect(allowedRemovals(slot(16), 8)).toEqual([0, 8]);
    expect(allowedRemovals(slot(6), 8)).toEqual([0]); // narrower than roundTo: left whole
    expect(allowedRemovals(slot(64, 40), 16)).toEqual([0, 16]); // minChannels 40: may keep 48, not 32
  });

  it('rounds each share to its nearest allowed removal, then moves whole steps toward the budget', () => {
    // shares 3 and 5 of 16 and 32 channels: 0 and 8 (16 and 24 left), 8 removed as asked
    expect(roundRemovals([slot(16), slot(32)], [3, 5], 8)).toEqual([0, 8]);
    // ResNet-20-like widths asked 34 in proportion: the nearest multiples give 24, one step more gives 32 (2 short)
    const slots = [16, 16, 16, 32, 32, 32, 64, 64, 64].map((n) => slot(n));
    const rounded = roundRemovals(slots, [2, 2, 1, 3, 3, 3, 7, 7, 6], 8);
    expect(rounded).toEqual([0, 0, 0, 8, 0, 0, 8, 8, 8]);
    expect(rounded.reduce((a, b) => a + b, 0)).toBe(32);
    expect(roundRemovals(slots, [2, 2, 1, 3, 3, 3, 7, 7, 6], 1)).toEqual([2, 2, 1, 3, 3, 3, 7, 7, 6]);
  });

  it('always leaves multiples of roundTo or the full width, and gets as close to the budget as single steps allow', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 200; trial++) {
      const roundTo = [2, 4, 8, 16][trial % 4];
      const slots = Array.from({ length: 1 + Math.floor(next() * 6) }, () => slot(1 + Math.floor(next() * 80)));
      const counts = slots.map((s) => Math.floor(next() * (s.maxRemovable + 1)));
      const out = roundRemovals(slots, counts, roundTo);
      const target = counts.reduce((a, b) => a + b, 0);
      const total = out.reduce((a, b) => a + b, 0);
      for (const [i, k] of out.entries()) {
        expect(k === 0 || (slots[i].size - k) % roundTo === 0).toBe(true);
        expect(k).toBeLessThanOrEqual(slots[i].maxRemovable);
        // no single step of one group gets closer to the budget
        for (const other of allowedRemovals(slots[i], roundTo)) {
          expect(Math.abs(total - k + other - target)).toBeGreaterThanOrEqual(Math.abs(total - target));
        }
      }
    }
  });
});
