/**
 * @omniprune/core: the plugin API (declared in `@omniprune/plugin-api`, re-exported here), the plugin container,
 * model graph engine, compute backends, model zoo, datasets, trainer and orchestrator.
 * Every export is listed explicitly; internal helpers stay internal.
 */
export { OmnipruneError, INPUT_ERROR_CODES, isOmnipruneError } from './errors/omniprune-error.js';
export type { OmnipruneErrorCode, OmnipruneErrorOptions } from './errors/omniprune-error.js';
export { createRng } from './util/rng.js';
export type { Rng } from './util/rng.js';
export { checkWritableDir, makeDirs, writeError, writeFileAtomic } from './util/atomic-write.js';
export { nameFilter, regexOption } from './util/name-filter.js';

export { BACKEND_NAMES, initBackend, describeBackend, wasmThreadsWanted } from './backend/index.js';
export type { Backend, BackendInfo, BackendName } from './backend/index.js';

export {
  PLUGIN_API_VERSION,
  CRITERION_ROLES,
  definePruner,
  defineCriterion,
  defineTrainer,
  defineEvaluator,
  createPluginContainer,
  registerPlugin,
  resolvePlugin,
  listPlugins,
  pluginOrigin,
  createPlugin,
  formatZodIssues,
  coreServices,
  pluginContext,
  testPluginContext,
  loadPluginModules,
  createImportanceCriterion,
} from './plugin/index.js';
export type {
  PluginContainer,
  PluginContext,
  PluginDefinition,
  PluginKind,
  PluginOrigin,
  CoreServices,
  HostContext,
  LoadedPluginModule,
  ImportanceCriterionSpec,
} from './plugin/index.js';
/** The zod this core validates options with: plugins define their option schemas with it (`@omniprune/plugin-api` exports the same). */
export { z } from 'zod';

export {
  buildDependencyGraph,
  groupOfLayer,
  LAYER_ADAPTERS,
  adapterFor,
  modelToJson,
  topoOrder,
  prunePlanSchema,
  describePlan,
  applyPlans,
  maskChannels,
  bypassBlock,
  maskHeads,
  maskPlan,
  attentionLayers,
  headPositions,
  HEAD_PRUNABLE_CLASSES,
  HEAD_WEIGHT_AXES,
  attentionShape,
  weightShortName,
  groupKernels,
  groupFilterRows,
  rowsAlong,
  layerAdapter,
  producersOf,
  groupChannels,
  batchNormsOf,
  batchNormOf,
  headAdapter,
  NO_MACS,
  configValue,
  setConfigValue,
  stageSummary,
  formatStages,
} from './graph/index.js';
export type {
  ChannelGroup,
  DependencyGraph,
  GraphLayer,
  ResidualBlock,
  ChannelRef,
  ChannelSpace,
  Layout,
  ChannelRole,
  LayerAdapter,
  WeightAxes,
  ModelJson,
  LayerJson,
  InboundRef,
  PrunePlan,
  RemoveBlockPlan,
  RemoveChannelsPlan,
  RemoveHeadsPlan,
  RestoreWeights,
  GroupKernel,
  AttentionLayer,
  ProducerAdapter,
  PassthroughAdapter,
  RoutingAdapter,
  HeadAdapter,
  MacCount,
  FlopsSplit,
  MacInput,
  LayerConfig,
  LayerClassName,
  GroupProducer,
  GroupBatchNorm,
  StageSummary,
} from './graph/index.js';

export { countCost, layerFlopsSplit } from './metrics/flops.js';
export type { LayerCost, ModelCost } from './metrics/flops.js';
export { median, percentile } from './metrics/stats.js';
export { timeInterleaved } from './metrics/timing-loop.js';
export type { InterleavedTimingOptions } from './metrics/timing-loop.js';
export { latencyInput, tfjsTimedModel, timedModelOn } from './metrics/timed-model.js';
export type { TimedModel } from './metrics/timed-model.js';
export { saveModel, loadModel, readLayersModel, resolveModelJson, readModelMetadata } from './io/model-io.js';
export { modelToBytes, modelFromBytes } from './io/model-bytes.js';
export type { OmnipruneModelMetadata } from './io/model-io.js';
export { defineModelFormat } from './io/model-format.js';
export type { ModelFormat, ModelFormatPlugin, ModelOrigin, LoadedModel } from './io/model-format.js';
export { readModel, modelFormats } from './io/read-model.js';
export { tfjsLayersFormat } from './io/tfjs-layers-format.js';
export { normalizeLayersArtifacts } from './io/keras-topology.js';
export { modelFromArtifacts } from './io/model-from-artifacts.js';
export type { LayersArtifacts } from './io/keras-topology.js';
export { annotateModel, annotationsOf } from './io/model-annotations.js';
export type { ClassifierSpec, ModelAnnotations } from './io/model-annotations.js';

export {
  resnet,
  vgg16,
  vit,
  buildZooModel,
  isZooModelName,
  ZOO_MODEL_NAMES,
  MultiHeadSelfAttention,
  AddPositionEmbedding,
  HardSigmoid,
  HardSwish,
  registerZooLayers,
  freshWeights,
} from './zoo/index.js';
export type { ResNetOptions, Vgg16Options, VitOptions, ZooModelName, ZooModelOptions, HardSigmoidArgs } from './zoo/index.js';

export {
  loadDataset,
  datasetSpecSchema,
  DATASET_NAMES,
  dataPipelineSchema,
  prepareData,
  loadIdxDataset,
  loadCifar,
  loadImageFolder,
  channelStats,
  normalize,
  augmentStepSchema,
  padCrop,
  horizontalFlip,
  batches,
  subsetDataset,
  selectSubsetIndices,
  takeIndices,
  FASHION_MNIST_CLASS_NAMES,
  MNIST_CLASS_NAMES,
  CIFAR10_CLASS_NAMES,
} from './data/index.js';
export type {
  DataPipeline,
  DataPipelineInput,
  PreparedData,
  ChannelStats,
  DataSplits,
  ImageDataset,
  DatasetSpec,
  DatasetSpecInput,
  AugmentStep,
  ImageShape,
  Batch,
} from './data/index.js';

export {
  createSgdTrainer,
  sgdTrainerOptionsSchema,
  parseSgdTrainerOptions,
  lrScheduleSchema,
  earlyStoppingSchema,
  datasetBatches,
  evaluateClassifier,
  predict,
  predictLogits,
  PROB_EPSILON,
  createProgressRenderer,
  augmentFromSteps,
  isKernelWeight,
  lossGradients,
  distillSchema,
  distillationLoss,
} from './train/index.js';
export { classifierOutput } from './train/classifier-output.js';
export type { ClassifierOutput } from './train/classifier-output.js';
export type {
  Trainer,
  TrainEvent,
  FitOptions,
  TrainResumeState,
  FitResult,
  LossAccuracy,
  AugmentFn,
  BatchSource,
  SgdTrainerOptions,
  SgdTrainerOptionsInput,
  LrSchedule,
  DistillOptions,
} from './train/index.js';

export {
  captureFeatures,
  featuresToTensor,
  penultimateLayer,
  pipelineBaseSchema,
  composePipelineSchema,
  modelSourceSchema,
  stopSchema,
  loadPipeline,
  loadPipelinePlugins,
  validatePipeline,
  parsePipelineYaml,
  onlyPruners,
  pipelineDataSpec,
  restrictPruners,
  runPipeline,
  localCandidates,
  createCandidateScorer,
  similaritySamples,
  tfjsInferenceRunner,
  runnerOf,
  perProposal,
  reduction,
  checkStop,
  reportWithoutTimings,
  trainingImagesOf,
  renderReportHtml,
  accuracyCurvesSvg,
  stratifiedSample,
  softmaxRows,
  meanKlDivergence,
  scoreMasked,
  scoringSample,
  predictionKl,
  predictProbabilities,
} from './prune/index.js';
export type {
  CandidateExecutor,
  CandidateTask,
  EvaluatedCandidate,
  CandidateScorer,
  Representation,
  SimilarityMetric,
  StructureKind,
  PruneCandidate,
  ProposeContext,
  Pruner,
  BlockImportance,
  Criterion,
  ChannelImportance,
  HeadImportance,
  Features,
  PipelineBase,
  Pipeline,
  PipelineEvent,
  RunPipelineOptions,
  RunReport,
  RecoveryRecord,
  IterationRecord,
  CandidateRecord,
  ModelStats,
  StopReason,
  StopTargets,
  AccuracyCurve,
  InferenceRunner,
  MaskedScoring,
  MaskedReadout,
} from './prune/index.js';
export { sgdTrainerPlugin, sgdTrainerPluginOptions } from './train/sgd-trainer-plugin.js';
export type { TrainerFactory, TrainerRun } from './train/sgd-trainer-plugin.js';
export { saveTrainCheckpoint, readTrainCheckpoint, removeTrainCheckpoint, CHECKPOINT_DIR } from './train/train-checkpoint.js';
export { hashSettings } from './util/hash-settings.js';

export { evaluateEntrySchema, createEvaluators, dueAt, runEvaluators, observeTraining, disposeEvaluators, headlineOf } from './evaluate/index.js';
export type {
  EvaluateEntry,
  ScheduledEvaluator,
  Evaluations,
  EvaluationSetting,
  Evaluator,
  Evaluation,
  EvaluationContext,
  EvaluationPhase,
  InputNormalization,
  TrainingPhase,
} from './evaluate/index.js';
