import { latencyStopRule } from './latency-stop-rule.js';
import { defineEvaluator } from '@omniprune/plugin-api';
import { isOmnipruneError } from '@omniprune/core';
import { median, percentile, tfjsTimedModel, timeInterleaved, type TimedModel } from '@omniprune/core/metrics';
import { loadOnnxRuntime, onnxTimedModel } from '@omniprune/onnx';
import type { Evaluation, EvaluationContext, Evaluator } from '@omniprune/plugin-api';
import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';

/** Options of the `latency` evaluator. */
export const latencyOptionsSchema = z.strictObject({
  /** Batch sizes timed. */
  batchSizes: z.array(z.number().int().min(1)).min(1).default([1, 64]),
  /** `auto`: onnxruntime when onnxruntime-node loads (and the model exports), else TF.js. */
  runner: z.enum(['auto', 'onnxruntime', 'tfjs']).default('auto'),
  /** Untimed rounds before timing. */
  warmup: z.number().int().min(0).default(3),
  /** Time budget per model and batch size, seconds. */
  secondsPerModel: z.number().positive().finite().default(2),
  /** Timed rounds at least (each round runs the model and the reference once). */
  minRuns: z.number().int().min(1).default(5),
  /** onnxruntime intra-op threads; 0 = onnxruntime's choice. */
  threads: z.number().int().min(0).default(0),
});

/** Validated options of the `latency` evaluator. */
export type LatencyOptions = z.output<typeof latencyOptionsSchema>;

/** What to time with, and what the user should know about the choice. */
interface RunnerChoice {
  readonly name: 'onnxruntime' | 'tfjs';
  readonly models: TimedModel[];
  readonly warnings: string[];
}

function inputShape(model: tfl.LayersModel, ctx: EvaluationContext): number[] {
  const shape = model.inputs[0].shape.slice(1);
  return shape.every((d) => typeof d === 'number') ? (shape as number[]) : [...ctx.test.shape];
}

async function disposeAll(models: readonly TimedModel[]): Promise<void> {
  for (const m of models) await m.dispose();
}

async function chooseRunner(models: readonly tfl.LayersModel[], ctx: EvaluationContext, options: LatencyOptions): Promise<RunnerChoice> {
  const shape = inputShape(models[0], ctx);
  const onTfjs = (warnings: string[]): RunnerChoice => ({ name: 'tfjs', models: models.map((m) => tfjsTimedModel(m, shape, ctx.seed)), warnings });
  if (options.runner === 'tfjs') return onTfjs([]);
  if (options.runner === 'auto') {
    const ort = await loadOnnxRuntime();
    if (ort instanceof Error) return onTfjs([`latency on TF.js: ${ort.message}`]);
  }
  const opened: TimedModel[] = [];
  try {
    for (const m of models) opened.push(await onnxTimedModel(m, shape, ctx.seed, options.threads));
    return { name: 'onnxruntime', models: opened, warnings: [] };
  } catch (err) {
    await disposeAll(opened);
    if (options.runner === 'auto' && isOmnipruneError(err, 'E_UNSUPPORTED_LAYER')) {
      return onTfjs([`latency on TF.js: ONNX export failed (${err.message.split('\n')[0]})`]);
    }
    throw err;
  }
}

async function evaluateLatency(model: tfl.LayersModel, ctx: EvaluationContext, options: LatencyOptions): Promise<Evaluation> {
  const reference = ctx.reference?.model;
  const choice = await chooseRunner(reference ? [model, reference] : [model], ctx, options);
  const metrics: Record<string, number> = {};
  const perBatch: Record<string, unknown> = {};
  try {
    for (const batch of options.batchSizes) {
      const [mine, theirs] = await timeInterleaved(
        choice.models.map((m) => m.pass(batch)),
        { clock: () => performance.now(), warmup: options.warmup, budgetMs: options.secondsPerModel * 1000, minRounds: options.minRuns, signal: ctx.signal },
      );
      metrics[`msBatch${batch}`] = median(mine);
      metrics[`p90MsBatch${batch}`] = percentile(mine, 90);
      if (theirs) {
        metrics[`referenceMsBatch${batch}`] = median(theirs);
        metrics[`speedupBatch${batch}`] = median(theirs) / median(mine);
      } else if (ctx.phase === 'baseline') {
        metrics[`speedupBatch${batch}`] = 1; // the base model is its own reference
      }
      perBatch[batch] = { runs: mine.length, ...(theirs ? { referenceP90Ms: percentile(theirs, 90) } : {}) };
      ctx.log(`latency: batch ${batch}: ${metrics[`msBatch${batch}`].toFixed(2)} ms (${choice.name}, ${mine.length} runs)`);
    }
  } finally {
    await disposeAll(choice.models);
  }
  const first = options.batchSizes[0];
  const speedup = metrics[`speedupBatch${first}`];
  const speedupPart = speedup === undefined ? '' : `, ${speedup.toFixed(2)}x the reference`;
  return {
    metrics,
    headline: speedup === undefined ? `msBatch${first}` : `speedupBatch${first}`,
    summary: `${options.batchSizes.map((b) => `batch ${b}: ${metrics[`msBatch${b}`].toFixed(2)} ms`).join(', ')} median on ${choice.name}${speedupPart}${reference ? ' (interleaved)' : ''}`,
    warnings: choice.warnings,
    details: { runner: choice.name, interleaved: reference !== undefined, warmup: options.warmup, secondsPerModel: options.secondsPerModel, batches: perBatch },
  };
}

/**
 * Evaluator plugin `latency`: median and p90 milliseconds per forward pass at each of `batchSizes` on onnxruntime
 * or TF.js, timed interleaved with the reference model when there is one (model, reference, model, ... in one
 * process; one session per model per evaluation, a fixed seeded random input), after `warmup` untimed rounds, for
 * about `secondsPerModel` per model and batch size. Metrics `msBatch<B>`, `p90MsBatch<B>`, `referenceMsBatch<B>`,
 * `speedupBatch<B>` (reference median / model median; 1 for the base model); headline `speedupBatch<first B>`.
 * Options (defaults): `batchSizes` [1, 64], `runner` auto, `warmup` 3, `secondsPerModel` 2, `minRuns` 5, `threads` 0.
 * @example
 * evaluate: [{ use: latency, with: { runner: onnxruntime, batchSizes: [1] } }]
 */
export const latencyEvaluator = defineEvaluator({
  name: 'latency',
  description: 'Inference latency (median, p90 ms) at batch 1 and 64 on onnxruntime or TF.js, interleaved with the reference for a fair speedup',
  options: latencyOptionsSchema,
  stopRules: [latencyStopRule],
  create: (options): Evaluator => ({
    name: 'latency',
    evaluate: (model, ctx) => evaluateLatency(model, ctx, options),
  }),
});
