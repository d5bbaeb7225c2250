import type { PruneCandidate } from '@omniprune/plugin-api';
import type { Rng } from '@omniprune/core/util';
import type { FilterBudget } from './options.js';

/** A group as the budget sees it: its size and how many channels it may lose. */
export interface BudgetSlot {
  readonly size: number;
  /** `size - minChannels`, at least 0. */
  readonly maxRemovable: number;
}

/**
 * Split `count` removals over groups with the reference code's rule: `p = count / total units`, each group
 * removes `round(p x size)` (capped so it keeps its minimum), then single units are added at (or taken from)
 * groups drawn with `rng` (each group at most once per round) until the total is exactly `count`. `count` above what can be removed is capped.
 * Returns the number of channels to remove per group, in the order given.
 * @example
 * allocateBudget([{ size: 16, maxRemovable: 15 }, { size: 32, maxRemovable: 31 }], 6, createRng(1)) // [2, 4]
 */
export function allocateBudget(slots: readonly BudgetSlot[], count: number, rng: Rng): number[] {
  const total = slots.reduce((s, g) => s + g.size, 0);
  const capacity = slots.reduce((s, g) => s + g.maxRemovable, 0);
  const target = Math.max(0, Math.min(Math.round(count), capacity));
  if (total === 0 || target === 0) return slots.map(() => 0);
  const p = target / total;
  const counts = slots.map((g) => Math.min(Math.round(p * g.size), g.maxRemovable));
  let diff = target - counts.reduce((a, b) => a + b, 0);
  // Each group is adjusted at most once per round, so no group strays more than one unit from its share.
  let adjusted = new Set<number>();
  while (diff !== 0) {
    const room = (k: number, i: number): boolean => (diff > 0 ? k < slots[i].maxRemovable : k > 0);
    let eligible = counts.flatMap((k, i) => (room(k, i) && !adjusted.has(i) ? [i] : []));
    if (eligible.length === 0) {
      adjusted = new Set();
      eligible = counts.flatMap((k, i) => (room(k, i) ? [i] : []));
    }
    const pick = eligible[rng.int(eligible.length)];
    adjusted.add(pick);
    counts[pick] += diff > 0 ? 1 : -1;
    diff += diff > 0 ? -1 : 1;
  }
  return counts;
}

/**
 * The reference code's allocation: `p = count / allFilters` (every convolution filter of the model, prunable or
 * not), each group removes `round(p x size)` (capped so it keeps its minimum), then single units go to groups drawn
 * uniformly at random (with replacement; groups at their minimum are skipped) until the total is exactly `count`,
 * or taken away the same way when rounding overshot. A total above what can be removed is capped (after `p`).
 * @example
 * allocateReference([{ size: 16, maxRemovable: 15 }, { size: 32, maxRemovable: 31 }], 6, 64, rng) // round(6/64 x [16, 32]) = [2, 3], then 1 unit at a random group
 */
export function allocateReference(slots: readonly BudgetSlot[], count: number, allFilters: number, rng: Rng): number[] {
  const capacity = slots.reduce((s, g) => s + g.maxRemovable, 0);
  const target = Math.max(0, Math.min(Math.round(count), capacity));
  if (allFilters <= 0 || target === 0) return slots.map(() => 0);
  const p = Math.round(count) / allFilters; // the share asked for, before any cap (as the reference computes it)
  const counts = slots.map((g) => Math.min(Math.round(p * g.size), g.maxRemovable));
  let diff = target - counts.reduce((a, b) => a + b, 0);
  while (diff !== 0) {
    const i = rng.int(slots.length);
    if (diff > 0 && counts[i] < slots[i].maxRemovable) counts[i]++, diff--;
    else if (diff < 0 && counts[i] > 0) counts[i]--, diff++;
  }
  return counts;
}

/** The units a `match-layer` or `ratio` budget asks for, and a note for the log when it fell back. */
export interface UnitBudget {
  readonly count: number;
  readonly note?: string;
}

/**
 * Units to remove under a `match-layer` or `ratio` budget, given the parent's prunable units. `match-layer`
 * reads the last candidate of kind `layer` in `earlier`.
 * @example
 * unitBudget({ type: 'ratio', ratio: 0.1 }, 336, []) // { count: 34 }
 */
export function unitBudget(
  budget: Extract<FilterBudget, { type: 'match-layer' | 'ratio' }>,
  totalUnits: number,
  earlier: readonly PruneCandidate[],
  allFilters = totalUnits,
): UnitBudget {
  if (budget.type === 'ratio') return { count: Math.round(budget.ratio * totalUnits) };
  const layer = [...earlier].reverse().find((c) => c.kind === 'layer');
  if (layer) return { count: layer.removedUnits };
  const base = budget.allocation === 'reference' ? allFilters : totalUnits;
  const count = Math.round(budget.fallbackRatio * base);
  return {
    count,
    note: `no layer candidate this iteration: removing fallbackRatio ${budget.fallbackRatio} x ${base} ${budget.allocation === 'reference' ? 'filters' : 'units'} = ${count}`,
  };
}
