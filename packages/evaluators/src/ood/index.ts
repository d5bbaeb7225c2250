export { auroc, fprAtTpr } from './auroc.js';
export { energyIsDegenerate, oodScores } from './ood-scores.js';
export type { OodScores } from './ood-scores.js';
export { SYNTHETIC_OOD_SETS, syntheticOodSet } from './ood-sets.js';
export type { SyntheticOodOptions, SyntheticOodSet } from './ood-sets.js';
export { loadOodSet } from './user-sets.js';
export type { OodSetSpec, OodSetTarget } from './user-sets.js';
export { evaluateOod, oodEvaluator, oodOptionsSchema } from './ood-evaluator.js';
export type { OodOptions } from './ood-evaluator.js';
