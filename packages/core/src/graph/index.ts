export { buildDependencyGraph, groupOfLayer } from './dependency-graph.js';
export type { ChannelGroup, DependencyGraph, GraphLayer } from './dependency-graph.js';
export type { ResidualBlock } from './residual-blocks.js';
export type { ChannelRef, ChannelSpace, Layout } from './channel-spaces.js';
export { LAYER_ADAPTERS, adapterFor, HEAD_PRUNABLE_CLASSES, HEAD_WEIGHT_AXES } from './layer-adapters.js';
export type { LayerClassName } from './layer-adapters.js';
export { NO_MACS, configValue, setConfigValue } from './layer-adapter-types.js';
export type {
  ChannelRole,
  LayerAdapter,
  ProducerAdapter,
  PassthroughAdapter,
  RoutingAdapter,
  WeightAxes,
  HeadAdapter,
  MacCount,
  MacInput,
  FlopsSplit,
  LayerConfig,
} from './layer-adapter-types.js';
export { layerAdapter, producersOf, groupChannels, batchNormsOf, batchNormOf, headAdapter } from './layer-queries.js';
export type { GroupProducer, GroupBatchNorm } from './layer-queries.js';
export { modelToJson, jsonToModel, topoOrder } from './model-json.js';
export type { ModelJson, LayerJson, InboundRef } from './model-json.js';
export { prunePlanSchema, describePlan } from './prune-plan.js';
export type { PrunePlan, RemoveBlockPlan, RemoveChannelsPlan, RemoveHeadsPlan } from './prune-plan.js';
export { applyPlans } from './apply-plan.js';
export { maskChannels, bypassBlock, maskHeads, maskPlan } from './masking.js';
export { attentionLayers, attentionShape, headPositions } from './remove-heads.js';
export type { AttentionLayer } from './remove-heads.js';
export type { RestoreWeights } from './masking.js';
export { transferWeights, weightShortName } from './weight-transfer.js';
export { groupKernels, groupFilterRows, rowsAlong } from './group-weights.js';
export type { GroupKernel } from './group-weights.js';
export { stageSummary, formatStages, type StageSummary } from './stages.js';
