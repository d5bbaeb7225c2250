export { evaluateEntrySchema } from './evaluate-schema.js';
export type { EvaluateEntry } from './evaluate-schema.js';
export { createEvaluators, dueAt, runEvaluators, observeTraining, disposeEvaluators, headlineOf } from './run-evaluators.js';
export type { ScheduledEvaluator, Evaluations, EvaluationSetting } from './run-evaluators.js';
export type { Evaluator, Evaluation, EvaluationContext, EvaluationPhase, InputNormalization, TrainingPhase } from './evaluator-types.js';
