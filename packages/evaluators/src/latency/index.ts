export { median, percentile } from './stats.js';
export { timeInterleaved } from './timing-loop.js';
export type { InterleavedTimingOptions } from './timing-loop.js';
export { latencyInput, onnxTimedModel, tfjsTimedModel } from './timed-model.js';
export type { TimedModel } from './timed-model.js';
export { latencyEvaluator, latencyOptionsSchema } from './latency-evaluator.js';
export type { LatencyOptions } from './latency-evaluator.js';
