export { latencyEvaluator, latencyOptionsSchema } from './latency-evaluator.js';
export type { LatencyOptions } from './latency-evaluator.js';
export { latencyStopRule } from './latency-stop-rule.js';
