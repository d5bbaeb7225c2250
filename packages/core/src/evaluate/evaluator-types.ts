/** The evaluator plugin API lives in `@omniprune/plugin-api`; core runs evaluators. */
export type { Evaluator, Evaluation, EvaluationContext, EvaluationPhase, InputNormalization, TrainingPhase } from '@omniprune/plugin-api';
