/** @omniprune/core/io: see ../README.md and this folder's files. Every export is listed explicitly. */
export { readLayersModel, resolveModelJson, readModelMetadata } from './model-io.js';
export type { OmnipruneModelMetadata } from './model-io.js';
export { modelFormats } from './read-model.js';
export { tfjsLayersFormat } from './tfjs-layers-format.js';
export { normalizeLayersArtifacts } from './keras-topology.js';
export { modelFromArtifacts } from './model-from-artifacts.js';
export type { LayersArtifacts } from './keras-topology.js';
export { annotateModel } from './model-annotations.js';
export type { ClassifierSpec, ModelAnnotations } from './model-annotations.js';
