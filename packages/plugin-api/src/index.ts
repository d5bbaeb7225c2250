/**
 * @omniprune/plugin-api: what an omniprune plugin is written against. The `define*` helpers, `PLUGIN_API_VERSION`,
 * the instance types (pruners, criteria, model formats), the graph, plan and dataset types they see, the
 * `CoreServices` a host hands them, `OmnipruneError` and `z` (zod). Runtime dependency: zod only; TensorFlow.js
 * appears in types only (`import type`), the host supplies it through `ctx.services.tf`.
 * Every export is listed explicitly.
 */
export { PLUGIN_API_VERSION, CRITERION_ROLES, definePruner, defineCriterion, defineTrainer, defineEvaluator } from './define-plugin.js';
export type { Evaluator, Evaluation, EvaluationContext, EvaluationPhase, InputNormalization, TrainingPhase } from './evaluator.js';
export type { PluginContext, PluginDefinition, PluginKind, PluginSpec, CriterionRole, CriterionSlot } from './define-plugin.js';
export { defineModelFormat } from './model-format.js';
export type { ModelFormat, ModelFormatPlugin, ModelOrigin, LoadedModel, OmnipruneModelMetadata, ClassifierSpec } from './model-format.js';
export type { CoreServices, ModelCost, LayerCost, PredictOptions, MaskedScoring, MaskedReadout, MaskedMeasure, ClassifierForward } from './core-services.js';
export type {
  ChannelRef,
  Layout,
  ChannelSpace,
  ChannelSpaceIndex,
  ChannelRole,
  WeightAxes,
  LayerAdapterView,
  HostTypes,
  GraphLayerAdapter,
  GraphChannelSpaces,
  InboundRef,
  LayerJson,
  ModelJson,
  GraphLayer,
  ChannelGroup,
  ResidualBlock,
  DependencyGraph,
  LayerVariable,
  GroupKernel,
  AttentionLayer,
  RestoreWeights,
} from './graph-types.js';
export { prunePlanSchema, removeChannelsPlanSchema, removeBlockPlanSchema, removeHeadsPlanSchema } from './prune-plan.js';
export type { PrunePlan, RemoveChannelsPlan, RemoveBlockPlan, RemoveHeadsPlan } from './prune-plan.js';
export type { ImageDataset, Batch, Features, Rng } from './data-types.js';
export { perProposal } from './prune-types.js';
export { regexOption, nameFilter } from './name-filter.js';
export type {
  PruneCandidate,
  ProposeContext,
  Pruner,
  InferenceRunner,
  TimedModel,
  Representation,
  SimilarityMetric,
  StructureKind,
  BlockImportance,
  ChannelImportance,
  HeadImportance,
  Criterion,
} from './prune-types.js';
export type { StopRule, StopDecision, StopModelStats, ProposalsStopContext, IterationStopContext, ReachableContext, StopPipelineView } from './stop-rules.js';
export type {
  ComputeBackend,
  AugmentContext,
  AugmentFn,
  BatchSource,
  LossAccuracy,
  TrainEvent,
  FitOptions,
  TrainResumeState,
  EpochSummary,
  FitResult,
  EvaluateOptions,
  Trainer,
  TrainerTeachers,
  TrainerRun,
  TrainerFactory,
} from './trainer.js';
export { OmnipruneError, INPUT_ERROR_CODES, isOmnipruneError } from './errors.js';
export type { OmnipruneErrorCode, OmnipruneErrorOptions } from './errors.js';
/** The zod plugins define their option schemas with (the host validates them with the same major version). */
export { z } from 'zod';
