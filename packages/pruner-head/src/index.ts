/**
 * @omniprune/pruner-head: the `head` pruner (removes attention heads) and its head-importance criteria.
 */
import { headCkaCriterion, headOutputCriterion, headRandomCriterion } from './criteria/head-data.js';
import { headL1Criterion, headL2Criterion } from './criteria/head-weights.js';
import { headPruner } from './head-pruner.js';

export { headPruner, headPrunerOptions, pickHeads } from './head-pruner.js';
export { headWeightScores, headL1Criterion, headL2Criterion } from './criteria/head-weights.js';
export type { HeadNorm } from './criteria/head-weights.js';
export {
  headOutputScores,
  headCkaDropScores,
  headDataOptions,
  headCkaOptions,
  headMasks,
  blockOutputOf,
  headOutputCriterion,
  headCkaCriterion,
  headRandomCriterion,
} from './criteria/head-data.js';

/** Every plugin of this package, for registration. */
export const plugins = [headPruner, headL1Criterion, headL2Criterion, headOutputCriterion, headCkaCriterion, headRandomCriterion] as const;
