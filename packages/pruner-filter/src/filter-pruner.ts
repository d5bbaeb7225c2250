import { createRng } from '@omniprune/core/util';
import { definePruner, type ChannelImportance, type ProposeContext, type PruneCandidate, type Pruner, type RemoveChannelsPlan } from '@omniprune/plugin-api';
import { runnerOf } from '@omniprune/core/prune';
import { timedModelOn } from '@omniprune/core/metrics';
import type { ChannelGroup, DependencyGraph } from '@omniprune/core/graph';
import { allocateBudget, allocateReference, unitBudget, type BudgetSlot } from './budget.js';
import { channelCriterion } from './channel-criterion.js';
import { flopsEstimator } from './flops-estimate.js';
import { inputShapeOf, measureSaving, searchLatency, type LatencyProbe } from './latency-budget.js';
import { filterPrunerOptions, type FilterBudget, type FilterPrunerOptions } from './options.js';
import { prunableGroups } from './prunable-groups.js';
import { roundRemovals } from './round-widths.js';

const PRUNER = 'filter';

/** Channels to remove per group under a `flops` budget: the fewest units whose removal meets the target. */
function flopsCounts(pc: ProposeContext, groups: readonly ChannelGroup[], slots: readonly BudgetSlot[], fraction: number): number[] {
  const estimator = flopsEstimator(pc.parent, pc.graph, groups);
  const target = fraction * estimator.parentFlops;
  const capacity = slots.reduce((s, g) => s + g.maxRemovable, 0);
  // Each probe replays the allocation on a copy of the generator, so the final call draws the same groups.
  const dropAt = (n: number): number => estimator.parentFlops - estimator.flopsAfter(allocateBudget(slots, n, createRng(pc.rng.state())));
  if (capacity === 0 || dropAt(capacity) + 1e-6 < target) {
    const reachable = capacity === 0 ? 0 : dropAt(capacity) / Math.max(estimator.parentFlops, 1);
    pc.log(
      `${PRUNER}: a ${(fraction * 100).toFixed(2)} % FLOPs cut is out of reach by filters alone; removing all ${capacity} removable units (${(reachable * 100).toFixed(2)} %)`,
    );
    return allocateBudget(slots, capacity, pc.rng);
  }
  let lo = 0;
  let hi = capacity;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (dropAt(mid) + 1e-6 >= target) hi = mid;
    else lo = mid;
  }
  return allocateBudget(slots, hi, pc.rng);
}

/** Channels to remove per group under a unit or FLOPs budget, rounded to `roundTo` widths; logs fallbacks, caps and rounding. */
function budgetCounts(pc: ProposeContext, options: FilterPrunerOptions, groups: readonly ChannelGroup[], slots: readonly BudgetSlot[]): number[] {
  return rounded(pc, options, slots, unroundedCounts(pc, options, groups, slots));
}

/** `asked` rounded to `roundTo` widths, logged when rounding changed it. */
function rounded(pc: ProposeContext, options: FilterPrunerOptions, slots: readonly BudgetSlot[], asked: readonly number[]): number[] {
  const counts = roundRemovals(slots, asked, options.roundTo);
  const [before, after] = [asked, counts].map((c) => c.reduce((a, b) => a + b, 0));
  if (before !== after || counts.some((k, i) => k !== asked[i])) {
    pc.log(`${PRUNER}: widths rounded to multiples of ${options.roundTo}: removing ${after} units where the budget asked ${before}`);
  }
  return counts;
}

/**
 * Channels to remove per group under a `latency` budget: FLOPs-sized, rounded candidates built and timed against the
 * parent until one saves the asked share of its time (`searchLatency`); returns its counts and the share it saved.
 */
async function latencyCounts(
  pc: ProposeContext,
  options: FilterPrunerOptions,
  budget: Extract<FilterBudget, { type: 'latency' }>,
  groups: readonly ChannelGroup[],
  slots: readonly BudgetSlot[],
  plansFor: (counts: readonly number[]) => Promise<RemoveChannelsPlan[]>,
): Promise<LatencyProbe> {
  const parentTimed = await timedModelOn(runnerOf(pc), pc.parent, inputShapeOf(pc), pc.iteration);
  try {
    return await searchLatency(
      budget.fraction,
      budget.probes,
      async (fraction) => {
        const counts = rounded(pc, options, slots, flopsCounts(pc, groups, slots, fraction));
        if (counts.every((k) => k === 0)) return { counts, achieved: 0 };
        const achieved = await measureSaving(pc, parentTimed, await plansFor(counts), { batchSize: budget.batchSize, seconds: budget.secondsPerProbe });
        return { counts, achieved };
      },
      (m) => pc.log(`${PRUNER}: ${m} (batch ${budget.batchSize}, ${runnerOf(pc).name})`),
    );
  } finally {
    await parentTimed.dispose();
  }
}

function unroundedCounts(pc: ProposeContext, options: FilterPrunerOptions, groups: readonly ChannelGroup[], slots: readonly BudgetSlot[]): number[] {
  const budget = options.budget;
  if (budget.type === 'latency') throw new Error('latency budgets are sized by latencyCounts');
  if (budget.type === 'flops') return flopsCounts(pc, groups, slots, budget.fraction);
  const total = slots.reduce((s, g) => s + g.size, 0);
  const capacity = slots.reduce((s, g) => s + g.maxRemovable, 0);
  const reference = budget.type === 'match-layer' && budget.allocation === 'reference';
  const allFilters = reference ? convFilters(pc.graph) : total;
  const { count, note } = unitBudget(budget, total, pc.earlier, allFilters);
  if (note) pc.log(`${PRUNER}: ${note}`);
  if (count > capacity) {
    pc.log(`${PRUNER}: budget of ${count} units exceeds the ${capacity} removable ones (each group keeps >= ${options.minChannels}); removing ${capacity}`);
  }
  return reference ? allocateReference(slots, count, allFilters, pc.rng) : allocateBudget(slots, count, pc.rng);
}

/** Every convolution filter of the model (the reference code's `count_filters`: stem and projections included). */
function convFilters(graph: DependencyGraph): number {
  let n = 0;
  for (const layer of graph.layers.values()) if (layer.className === 'Conv2D') n += Number(layer.config.filters);
  return n;
}

/** The `k` lowest-scoring channels (ties: lower index first; NaN counts as most important), sorted ascending. */
export function lowestScoring(scores: ArrayLike<number>, k: number): number[] {
  const key = (i: number): number => (Number.isNaN(scores[i]) ? Infinity : scores[i]);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => key(a) - key(b) || a - b);
  return order.slice(0, k).sort((a, b) => a - b);
}

function unitNoun(graph: DependencyGraph, groups: readonly ChannelGroup[], count: number): string {
  const classes = new Set(groups.flatMap((g) => g.producers.map((p) => graph.layers.get(p)?.className ?? '')));
  const noun = [...classes].every((c) => c.startsWith('Conv')) ? 'filter' : [...classes].every((c) => c === 'Dense') ? 'neuron' : 'unit';
  return count === 1 ? noun : `${noun}s`;
}

async function propose(pc: ProposeContext, options: FilterPrunerOptions, criterion: ChannelImportance): Promise<PruneCandidate | null> {
  const groups = prunableGroups(pc.graph, options);
  if (groups.length === 0) {
    pc.log(`${PRUNER}: no prunable channel groups${options.residual ? '' : ' (residual: false)'}; no candidate`);
    return null;
  }
  const slots = groups.map((g): BudgetSlot => ({ size: g.size, maxRemovable: Math.max(0, g.size - options.minChannels) }));
  const scores = new Map<number, ArrayLike<number>>();
  const plansFor = async (counts: readonly number[]): Promise<RemoveChannelsPlan[]> => {
    const plans: RemoveChannelsPlan[] = [];
    for (const [i, group] of groups.entries()) {
      if (counts[i] === 0) continue;
      if (!scores.has(i)) {
        const s = await criterion.scoreChannels(pc, group);
        if (s.length !== group.size) {
          throw new Error(`criterion ${criterion.name} returned ${s.length} scores for group "${group.id}" of ${group.size} channels`);
        }
        scores.set(i, s);
      }
      plans.push({ kind: 'remove-channels', group: group.id, indices: lowestScoring(scores.get(i)!, counts[i]) });
    }
    return plans;
  };
  const budget = options.budget;
  const latency = budget.type === 'latency' ? await latencyCounts(pc, options, budget, groups, slots, plansFor) : undefined;
  const counts = latency ? latency.counts : budgetCounts(pc, options, groups, slots);
  const touched = groups.map((group, i) => ({ group, k: counts[i] })).filter((t) => t.k > 0);
  if (touched.length === 0) {
    pc.log(`${PRUNER}: the budget removes no units; no candidate`);
    return null;
  }
  const plans = await plansFor(counts);
  const removed = touched.reduce((s, t) => s + t.k, 0);
  const noun = unitNoun(
    pc.graph,
    touched.map((t) => t.group),
    removed,
  );
  return {
    kind: 'filter',
    pruner: PRUNER,
    plans,
    removedUnits: removed,
    summary: `remove ${removed} ${noun} from ${plans.length} group${plans.length === 1 ? '' : 's'} (${criterion.name}${options.roundTo > 1 ? `, widths multiples of ${options.roundTo}` : ''}${latency ? `, ${(latency.achieved * 100).toFixed(1)} % faster measured` : ''})`,
  };
}

/**
 * The `filter` pruner: removes the lowest-scoring filters/neurons across the model's channel groups, as many as
 * the budget asks (by default as many as this iteration's layer candidate removed), spread over groups in
 * proportion to their size. Only groups whose channels are not tied by residual adds, unless `residual: true`.
 * Channel scores come from a channel-importance criterion plugin (`l1` by default; `kl` is the paper's).
 * @example
 * // pipeline YAML
 * pruners:
 *   - use: filter
 *     with: { criterion: l1, budget: { type: match-layer } }
 */
export const filterPruner = definePruner({
  name: PRUNER,
  kinds: ['filter'],
  criteria: [{ option: 'criterion', optionsKey: 'criterionOptions', role: 'channel-importance', defaultName: 'l1' }],
  description: 'Remove the least important filters/neurons, spread over channel groups in proportion to their size',
  options: filterPrunerOptions,
  async create(options, ctx): Promise<Pruner> {
    const criterion = await channelCriterion(options.criterion, options.criterionOptions, ctx);
    const sizedBy = options.budget.type === 'match-layer' ? ('layer' as const) : undefined;
    return { kind: 'filter', ...(sizedBy ? { sizedBy } : {}), propose: (pc) => propose(pc, options, criterion) };
  },
});
