export { klBlockCriterion, klBlockScores, klOptions, bypassMasks } from './kl-divergence.js';
export { ckaDropBlockCriterion, ckaDropScores, ckaDropOptions } from './cka-drop.js';
export { l1BlockCriterion, l1BlockScore, randomBlockCriterion } from './simple-criteria.js';
