/**
 * @omniprune/core: the names a host (the CLI, a script) and plugin hosts use. The rest lives in subpath entries, one
 * per folder: '@omniprune/core/graph', '/data', '/zoo', '/train', '/io', '/backend', '/prune', '/evaluate', '/metrics',
 * '/plugin', '/util', and '/testing' (the tests' shared helpers). Plugins import their API from '@omniprune/plugin-api'.
 * Every export is listed explicitly.
 */
export { OmnipruneError, isOmnipruneError } from './errors/omniprune-error.js';
export { checkWritableDir, writeFileAtomic } from './util/atomic-write.js';
export { BACKEND_NAMES, initBackend } from './backend/index.js';
export type { Backend } from './backend/index.js';
export {
  createPluginContainer,
  registerPlugin,
  resolvePlugin,
  listPlugins,
  pluginOrigin,
  createPlugin,
  instantiatePlugin,
  coreServices,
  testPluginContext,
  loadPluginModules,
} from './plugin/index.js';
export type { PluginContainer, PluginOrigin, LoadedPluginModule } from './plugin/index.js';
export { saveModel, loadModel } from './io/model-io.js';
export { modelToBytes, modelFromBytes } from './io/model-bytes.js';
export { readModel } from './io/read-model.js';
export { annotationsOf } from './io/model-annotations.js';
export {
  pipelineSchemaOf,
  loadPipelineSource,
  runDirOf,
  absolutePipelinePaths,
  relativePipelinePaths,
  createRunSession,
  runIteration,
  openRunStore,
  stopRulesOf,
  loadPipeline,
  loadPipelinePlugins,
  validatePipeline,
  parsePipelineYaml,
  onlyPruners,
  restrictPruners,
  runPipeline,
  localCandidates,
  createCandidateScorer,
  reduction,
  reportWithoutTimings,
  trainingImagesOf,
  renderReportHtml,
} from './prune/index.js';
export type {
  CandidateExecutor,
  CandidateTask,
  EvaluatedCandidate,
  CandidateScorer,
  Pipeline,
  PipelineEvent,
  RunPipelineOptions,
  RunSession,
  RunSessionOptions,
  RunStore,
  ModelExporter,
  RunReport,
  RecoveryRecord,
  IterationRecord,
  CandidateRecord,
  ModelStats,
  StopReason,
  StopTargets,
} from './prune/index.js';
