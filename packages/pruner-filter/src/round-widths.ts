import type { BudgetSlot } from './budget.js';

/**
 * The removals a group may take when every pruned group must keep a multiple of `roundTo` channels: 0 (the group keeps
 * its full width, whatever it is), or `size - m x roundTo` for every `m >= 1` that leaves at least one channel and
 * stays within `maxRemovable`. Ascending.
 * @example
 * allowedRemovals({ size: 20, maxRemovable: 19 }, 8) // [0, 4, 12]: keep 20, 16 or 8
 */
export function allowedRemovals(slot: BudgetSlot, roundTo: number): number[] {
  const out = [0];
  for (let keep = Math.floor((slot.size - 1) / roundTo) * roundTo; keep >= roundTo; keep -= roundTo) {
    const k = slot.size - keep;
    if (k <= slot.maxRemovable) out.push(k);
  }
  return out;
}

/**
 * Round per-group removals (`counts`, from the budget's allocation) so every group keeps a multiple of `roundTo`
 * channels or its full width, with the total as close as whole multiples allow to the budget's total. Each group
 * starts at its allowed removal nearest its share (ties: fewer removals); then, while one group moving one allowed
 * step brings the total closer to the budget, the move that gets closest is taken (ties: the group whose share it
 * is nearer to, then the lower index). Deterministic. `roundTo` 1 returns `counts` unchanged.
 * @example
 * roundRemovals([{ size: 16, maxRemovable: 15 }, { size: 32, maxRemovable: 31 }], [3, 5], 8) // [0, 8]: 16 and 24 left
 */
export function roundRemovals(slots: readonly BudgetSlot[], counts: readonly number[], roundTo: number): number[] {
  if (roundTo <= 1) return [...counts];
  const options = slots.map((s) => allowedRemovals(s, roundTo));
  const target = counts.reduce((a, b) => a + b, 0);
  const pick = options.map((o, i) => o.reduce((best, k, j) => (Math.abs(k - counts[i]) < Math.abs(o[best] - counts[i]) ? j : best), 0));
  const total = () => pick.reduce((s, j, i) => s + options[i][j], 0);
  for (;;) {
    const now = total();
    let best: { i: number; j: number; gap: number; drift: number } | undefined;
    for (let i = 0; i < slots.length; i++) {
      for (const j of [pick[i] - 1, pick[i] + 1]) {
        if (j < 0 || j >= options[i].length) continue;
        const gap = Math.abs(now - options[i][pick[i]] + options[i][j] - target);
        const drift = Math.abs(options[i][j] - counts[i]);
        if (gap < Math.abs(now - target) && (!best || gap < best.gap || (gap === best.gap && drift < best.drift))) best = { i, j, gap, drift };
      }
    }
    if (!best) return pick.map((j, i) => options[i][j]);
    pick[best.i] = best.j;
  }
}
