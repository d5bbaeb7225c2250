/**
 * @omniprune/evaluators: evaluator plugins run on the base model, the iterations' winners and the final model of a
 * pruning run (pipelines list them under `evaluate:`), and by `omniprune eval --evaluate`.
 */
import { adversarialEvaluator } from './adversarial/index.js';
import { corruptionEvaluator } from './corruption/index.js';
import { energyEvaluator } from './energy/index.js';
import { latencyEvaluator } from './latency/index.js';
import { oodEvaluator } from './ood/index.js';

export * from './adversarial/index.js';
export * from './corruption/index.js';
export * from './ood/index.js';
export * from './energy/index.js';
export * from './latency/index.js';

/**
 * Every plugin of this package, for registration (`evaluator:adversarial`, `evaluator:corruption`, `evaluator:ood`,
 * `evaluator:energy`, `evaluator:latency`).
 * @example
 * for (const p of plugins) registerPlugin(container, p, '@omniprune/evaluators');
 */
export const plugins = [adversarialEvaluator, corruptionEvaluator, oodEvaluator, energyEvaluator, latencyEvaluator];
