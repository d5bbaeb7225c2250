import { defineEvaluator } from '@omniprune/plugin-api';
import type { Evaluation, EvaluationContext, Evaluator, PluginContext } from '@omniprune/plugin-api';
import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { DEFAULT_GRAMS_CO2_PER_KWH, gramsCo2 } from './carbon.js';
import { DEFAULT_WATTS_PER_CORE } from './cpu-time.js';
import { createEnergyMeter, type EnergyMeter, type EnergyMeterOptions } from './energy-meter.js';
import { DEFAULT_POWERCAP_ROOT } from './rapl.js';
import { createTrainingEnergyTracker, type TrainingEnergy } from './training-energy.js';
import { cycledImages } from './workload.js';

/** Options of the `energy` evaluator. */
export const energyOptionsSchema = z.strictObject({
  /** Images of the inference workload, cycled from the test set. */
  images: z.number().int().min(1).default(10_000),
  /** Batch size of the workload. */
  batchSize: z.number().int().min(1).default(64),
  /** `auto`: RAPL, else NVIDIA (`nvidia-smi`), else the CPU-time estimate. */
  source: z.enum(['auto', 'rapl', 'nvml', 'cpu-time-estimate']).default('auto'),
  /** Root of the Linux powercap tree. */
  raplRoot: z.string().min(1).default(DEFAULT_POWERCAP_ROOT),
  /** Watts per busy core of the CPU-time estimate. */
  wattsPerCore: z.number().positive().finite().default(DEFAULT_WATTS_PER_CORE),
  /** Grid carbon intensity (world average 475, as Lacoste et al. 2019's calculator). */
  gramsCo2PerKwh: z.number().min(0).finite().default(DEFAULT_GRAMS_CO2_PER_KWH),
  /** Seconds between counter reads while a fine-tune runs (RAPL wrap-around); 0 = only at start and end. */
  pollSeconds: z.number().min(0).finite().default(60),
});

/** Validated options of the `energy` evaluator. */
export type EnergyOptions = z.output<typeof energyOptionsSchema>;

const SOURCE_WORDS: Record<EnergyMeter['source'], string> = {
  rapl: 'RAPL package counters',
  nvml: 'NVIDIA energy counter',
  'cpu-time-estimate': 'estimated from CPU time',
};

function warningsOf(meter: EnergyMeter, options: EnergyOptions, training: TrainingEnergy): string[] {
  const warnings = [...training.problems];
  if (meter.estimated) {
    warnings.push(`no energy counters (${meter.skipped.join('; ')}): joules are process CPU time x ${options.wattsPerCore} W per core, an estimate`);
  } else {
    warnings.push(`${SOURCE_WORDS[meter.source]} measure the whole ${meter.source === 'rapl' ? 'CPU package' : 'GPU'}: other processes' work is included`);
  }
  return warnings;
}

async function evaluateEnergy(
  model: tfl.LayersModel,
  ctx: EvaluationContext,
  options: EnergyOptions,
  meter: EnergyMeter,
  training: TrainingEnergy,
): Promise<Evaluation> {
  const workload = cycledImages(ctx.test, options.images);
  await ctx.runner.predictLogits(model, cycledImages(ctx.test, Math.min(options.batchSize, options.images)), options.batchSize); // warm-up
  ctx.signal?.throwIfAborted();
  const t0 = performance.now();
  const j0 = meter.read();
  await ctx.runner.predictLogits(model, workload, options.batchSize);
  const joules = meter.read() - j0;
  const seconds = (performance.now() - t0) / 1000;
  const joulesPer10k = (joules * 10_000) / Math.max(1, workload.count);
  const metrics: Record<string, number> = {
    joulesPer10k,
    gCo2Per10k: gramsCo2(joulesPer10k, options.gramsCo2PerKwh),
    trainJoules: training.sinceLast,
    trainGCo2: gramsCo2(training.sinceLast, options.gramsCo2PerKwh),
    trainJoulesTotal: training.total,
    trainGCo2Total: gramsCo2(training.total, options.gramsCo2PerKwh),
  };
  const warnings = warningsOf(meter, options, training);
  const reference = ctx.reference?.result.metrics.joulesPer10k;
  if (reference !== undefined && reference > 0) metrics.inferenceSaving = 1 - joulesPer10k / reference;
  else if (ctx.reference) warnings.push('the reference has no joulesPer10k: inferenceSaving not computed');
  else if (ctx.phase === 'baseline') metrics.inferenceSaving = 0; // the base model is its own reference
  const saving = metrics.inferenceSaving === undefined ? '' : `, saving ${(metrics.inferenceSaving * 100).toFixed(1)}%`;
  const how = meter.estimated ? ` (ESTIMATED from CPU time x ${options.wattsPerCore} W/core)` : ` (${SOURCE_WORDS[meter.source]})`;
  return {
    metrics,
    headline: 'joulesPer10k',
    summary: `${joulesPer10k.toFixed(1)} J / ${metrics.gCo2Per10k.toFixed(4)} g CO2-eq per 10k images${saving}; training ${training.sinceLast.toFixed(0)} J since last evaluation${how}`,
    estimated: meter.estimated,
    warnings,
    details: {
      source: meter.source,
      estimated: meter.estimated,
      skippedSources: meter.skipped,
      runner: ctx.runner.name,
      images: workload.count,
      batchSize: options.batchSize,
      seconds,
      watts: seconds > 0 ? joules / seconds : null,
      gramsCo2PerKwh: options.gramsCo2PerKwh,
      ...(meter.estimated ? { wattsPerCore: options.wattsPerCore } : {}),
      trainingRuns: training.runs,
    },
  };
}

/**
 * Evaluator plugin `energy`: joules and grams CO2-eq of (a) a fixed inference workload (`images` test images, cycled,
 * in batches of `batchSize`, on the run's runner after a one-batch warm-up) normalised to 10,000 images, and (b) the
 * fine-tunes the orchestrator reports through `observeTraining`. Metrics `joulesPer10k`, `gCo2Per10k`, `trainJoules`
 * and `trainGCo2` (fine-tunes since the previous evaluation), `trainJoulesTotal`, `trainGCo2Total`, and with a
 * reference `inferenceSaving = 1 - joulesPer10k / reference joulesPer10k`. `details.source`: `rapl`, `nvml` or
 * `cpu-time-estimate` (then `estimated: true`). Options (defaults): `images` 10000, `batchSize` 64, `source` auto,
 * `raplRoot` /sys/class/powercap, `wattsPerCore` 10, `gramsCo2PerKwh` 475 (world average, Lacoste et al. 2019),
 * `pollSeconds` 60.
 * @example
 * evaluate: [{ use: energy, with: { gramsCo2PerKwh: 56 } }]   # France's grid
 */
export const energyEvaluator = defineEvaluator({
  name: 'energy',
  description: 'Energy (J) and carbon (g CO2-eq) of inference per 10k images and of fine-tuning: RAPL, NVIDIA counters or a CPU-time estimate',
  options: energyOptionsSchema,
  create: (options, pctx: PluginContext): Evaluator => {
    const meterOptions: EnergyMeterOptions = { source: options.source, raplRoot: options.raplRoot, wattsPerCore: options.wattsPerCore };
    let meter: EnergyMeter | undefined;
    const getMeter = (): EnergyMeter => {
      if (meter === undefined) {
        meter = createEnergyMeter(meterOptions);
        pctx.log(`energy: source ${meter.source}${meter.skipped.length ? ` (${meter.skipped.join('; ')})` : ''}`);
      }
      return meter;
    };
    const tracker = createTrainingEnergyTracker(getMeter, options.pollSeconds);
    return {
      name: 'energy',
      observeTraining: (phase, event) => tracker.observe(phase, event),
      evaluate: (model, ctx) => evaluateEnergy(model, ctx, options, getMeter(), tracker.take()),
      dispose: () => tracker.dispose(),
    };
  },
});
