/** @omniprune/core/metrics: see ../README.md and this folder's files. Every export is listed explicitly. */
export { countCost, layerFlopsSplit } from './flops.js';
export type { LayerCost, ModelCost } from './flops.js';
export { median, percentile } from './stats.js';
export { timeInterleaved } from './timing-loop.js';
export type { InterleavedTimingOptions } from './timing-loop.js';
export { latencyInput, tfjsTimedModel, timedModelOn } from './timed-model.js';
export type { TimedModel } from './timed-model.js';
