/** @omniprune/pruner-filter: filter/neuron candidates and channel-importance criteria. */
import { filterPruner } from './filter-pruner.js';
import { bnScaleCriterion, klCriterion, l1Criterion, l2Criterion, randomCriterion } from './criteria/index.js';

export { filterPruner, lowestScoring } from './filter-pruner.js';
export { filterPrunerOptions, budgetSchema } from './options.js';
export type { FilterPrunerOptions, FilterBudget } from './options.js';
export { prunableGroups } from './prunable-groups.js';
export type { GroupSelection } from './prunable-groups.js';
export { allocateBudget, allocateReference, unitBudget } from './budget.js';
export { roundRemovals, allowedRemovals } from './round-widths.js';
export type { BudgetSlot, UnitBudget } from './budget.js';
export { flopsEstimator } from './flops-estimate.js';
export { nextFraction, searchLatency, measureSaving } from './latency-budget.js';
export type { LatencyProbe, ProbeFn } from './latency-budget.js';
export type { FlopsEstimator } from './flops-estimate.js';
export { channelCriterion, builtinChannelCriteria } from './channel-criterion.js';
export {
  l1Criterion,
  l2Criterion,
  bnScaleCriterion,
  klCriterion,
  randomCriterion,
  klCriterionOptions,
  weightNormScores,
  l1ChannelScores,
  l2ChannelScores,
  bnScaleChannelScores,
  klChannelScores,
  channelMasks,
  randomChannelScores,
} from './criteria/index.js';
export type { WeightNorm, KlCriterionOptions } from './criteria/index.js';

/** The pruner plugin of this package (`pruner:filter`). */
export const plugin = filterPruner;
/** Channel-importance criterion plugins: `l1`, `l2`, `bn-scale`, `kl`, `random`. */
export const criteria = [l1Criterion, l2Criterion, bnScaleCriterion, klCriterion, randomCriterion];
/** Every plugin of this package, for registration. */
export const plugins = [filterPruner, ...criteria];
