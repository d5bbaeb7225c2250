export { klBlockCriterion, klBlockScores, klOptions, bypassMasks } from './kl-divergence.js';
export { ckaDropBlockCriterion, ckaDropScores, ckaDropOptions } from './cka-drop.js';
export { l1BlockCriterion, l1BlockScore, randomBlockCriterion } from './simple-criteria.js';
export { blockInfluenceCriterion, blockAngularCriterion, lastBlockCriterion, blockChangeOptions } from './block-change.js';

import { blockAngularCriterion, blockInfluenceCriterion, lastBlockCriterion } from './block-change.js';
import { ckaDropBlockCriterion } from './cka-drop.js';
import { klBlockCriterion } from './kl-divergence.js';
import { l1BlockCriterion, randomBlockCriterion } from './simple-criteria.js';

/** Every block-importance criterion plugin of this package, in the order `plugins list` shows them. */
export const blockCriteria = [
  klBlockCriterion,
  ckaDropBlockCriterion,
  l1BlockCriterion,
  randomBlockCriterion,
  blockInfluenceCriterion,
  blockAngularCriterion,
  lastBlockCriterion,
];
