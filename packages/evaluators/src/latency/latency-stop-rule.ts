import { z, type StopRule } from '@omniprune/plugin-api';

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/**
 * `stop.latencyReduction`: stop when the winner's batch-1 latency, as the `latency` evaluator measures it against the
 * base model, is this fraction below the base model's (0.5 = twice as fast). The evaluator must run every iteration.
 * @example
 * stop: { latencyReduction: 0.5 }
 * evaluate: [{ use: latency }]
 */
export const latencyStopRule: StopRule<{ latencyReduction?: number }> = {
  name: 'latency-target',
  options: {
    latencyReduction: z
      .number()
      .gt(0)
      .lt(1)
      .optional()
      .describe("Stop when the winner's measured batch-1 latency is this fraction below the base model's (needs evaluate: [{ use: latency }])"),
  },
  afterIteration({ stop, evaluations }) {
    const speedup = evaluations?.latency?.metrics.speedupBatch1;
    if (stop.latencyReduction === undefined || speedup === undefined || 1 - 1 / speedup < stop.latencyReduction) return null;
    const message = `batch-1 latency reduced by ${pct(1 - 1 / speedup)} (${speedup.toFixed(2)}x faster; target ${pct(stop.latencyReduction)})`;
    return { reason: 'latency-target', message };
  },
  checkPipeline(stop, pipeline) {
    const latency = pipeline.evaluate.find((e) => e.use === 'latency');
    if (stop.latencyReduction === undefined || latency?.every === 1) return null;
    return {
      message: `stop.latencyReduction needs the latency evaluator on every iteration${latency ? ` (it runs every ${latency.every})` : ''}`,
      hint: 'add evaluate: [{ use: latency }] (every: 1, the default)',
    };
  },
};
