import { z } from 'zod';
import { BACKEND_NAMES } from '../backend/index.js';
import { dataPipelineSchema } from '../data/prepare-data.js';
import { evaluateEntrySchema } from '../evaluate/evaluate-schema.js';
import type { DependencyContainer } from 'tsyringe';
import { listPlugins } from '../plugin/plugin-container.js';
import type { PluginKind } from '../plugin/define-plugin.js';

/** One `use: <plugin> / with: <options>` entry. */
const pluginUse = z.strictObject({ use: z.string().min(1), with: z.unknown().optional() });

/**
 * A pruner whose proposal only sizes other pruners' candidates (their `sizedBy`, e.g. the filter pruner's
 * `match-layer` budget) and is never built, fine-tuned or scored itself. `run --only` sets it on the pruners it
 * leaves out, so a filter-only baseline takes the same step sizes as the all-at-once run's filter candidates.
 */
const sizingOnly = z.boolean().default(false);

/**
 * Where the pipeline's model comes from: a model file (TF.js/Keras `model.json`, Keras `.h5`/`.keras`, ONNX `.onnx`),
 * or a zoo model trained from scratch first. `logitsLayer`/`output` override how the classifier's output is read
 * (default: from the output layer's activation; see core's `classifierOutput`).
 */
export const modelSourceSchema = z.union([
  z.strictObject({
    path: z.string().min(1),
    /** Layer whose output is the logits. */
    logitsLayer: z.string().min(1).optional(),
    /** What the model's output is. */
    output: z.enum(['logits', 'probabilities']).optional(),
  }),
  z.strictObject({ zoo: z.string().min(1), train: z.record(z.string(), z.unknown()), seed: z.number().int().optional() }),
]);

/** When to stop pruning. Reductions are fractions of the baseline (0.5 = half the FLOPs removed). */
export const stopSchema = z.strictObject({
  flopsReduction: z.number().gt(0).lt(1).optional(),
  paramsReduction: z.number().gt(0).lt(1).optional(),
  minAccuracy: z.number().min(0).max(1).optional(),
  maxAccuracyDrop: z.number().min(0).max(1).optional(),
  maxIterations: z.number().int().positive().default(50),
  /**
   * Stop when every stage holds at most this many residual blocks (the authors' loop: `while blocks != [2, 2, 2]`).
   * Counts every block of a stage, the downsampling one included.
   */
  minBlocksPerStage: z.number().int().nonnegative().optional(),
  /**
   * When a layer pruner is configured but proposes nothing (no removable block left): `continue` (default) lets the
   * other pruners go on alone; `stop` ends the run there, as the authors' loop does.
   */
  whenNoLayerCandidate: z.enum(['continue', 'stop']).default('continue'),
  /**
   * Stop when the winner's measured batch-1 latency is this fraction below the base model's (0.5 = twice as fast),
   * as the `latency` evaluator measures it (which must then run every iteration: `evaluate: [{ use: latency }]`).
   */
  latencyReduction: z.number().gt(0).lt(1).optional(),
});

/** The static part of a pipeline; plugin options are checked against each plugin's own schema. */
export const pipelineBaseSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1).default('pipeline'),
  seed: z.number().int().nonnegative().default(1),
  backend: z.enum(['auto', ...BACKEND_NAMES]).default('auto'),
  /**
   * Where forward-only work (similarity features, importance scoring, evaluation) runs: tfjs (the compute backend),
   * onnxruntime, or auto (default: onnxruntime when it loads, else tfjs). Training always runs on the compute backend.
   */
  runner: z.enum(['tfjs', 'onnxruntime', 'auto']).default('auto'),
  plugins: z.array(z.string().min(1)).default([]),
  model: modelSourceSchema,
  data: dataPipelineSchema,
  pruners: z.array(pluginUse.extend({ sizingOnly })).min(1),
  similarity: z
    .strictObject({
      use: z.string().min(1).default('linear-cka'),
      with: z.unknown().optional(),
      /** `penultimate` or a layer name every candidate keeps. */
      layer: z.string().min(1).default('penultimate'),
      /**
       * Samples the similarity is measured on: the paper uses the test set; `validation` is the split held out of
       * training by `data.dataset.validation` (so the reported test accuracy is not measured on the selection data).
       */
      split: z.enum(['train', 'test', 'validation']).default('test'),
      samples: z.number().int().min(4).optional(),
    })
    .default({ use: 'linear-cka', layer: 'penultimate', split: 'test' }),
  /** Candidate kind that wins ties, or `first` (pipeline order). */
  ties: z.enum(['layer', 'filter', 'head', 'first']).default('layer'),
  trainer: z.string().min(1).default('sgd'),
  finetune: z
    .strictObject({
      candidate: z.record(z.string(), z.unknown()).optional(),
      winner: z.record(z.string(), z.unknown()).optional(),
      /**
       * One longer recovery fine-tune of the final model after the loop (the trainer's options, e.g. a `distill:`
       * block, plus `images`); resumable per epoch, reported as `recovery` in report.json.
       */
      final: z.record(z.string(), z.unknown()).optional(),
    })
    .default({}),
  /**
   * Evaluators (robustness, out-of-distribution, energy, latency, third-party) run on the base model, every
   * `every`-th iteration's winner and the final model; results in `report.json` and `report.html`.
   */
  evaluate: z.array(evaluateEntrySchema).default([]),
  stop: stopSchema.default({ maxIterations: 50, whenNoLayerCandidate: 'continue' }),
  output: z.string().min(1).default('runs/pipeline'),
  /** Extra formats of the final model: `onnx: true` also writes final/model.onnx (by the CLI, with @omniprune/onnx; batch norms folded). */
  export: z.strictObject({ onnx: z.boolean().default(false) }).default({ onnx: false }),
});

/** `finetune.final.images`: training images per epoch of the recovery, `all` (default: the whole training split) or a stratified subset. */
export const finalImagesSchema = z.union([z.literal('all'), z.number().int().positive()]).default('all');

/** A pipeline after static validation (plugin options still raw). */
export type PipelineBase = z.output<typeof pipelineBaseSchema>;

function usesOf(c: DependencyContainer, kind: PluginKind): z.ZodType {
  const options = listPlugins(c)
    .filter((p) => p.kind === kind)
    .map((p) => z.strictObject({ use: z.literal(p.name), with: p.options.optional(), ...(kind === 'pruner' ? { sizingOnly } : {}) }).describe(p.description));
  if (options.length === 0) return z.never();
  if (options.length === 1) return options[0];
  return z.union(options as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
}

function evaluatorUses(c: DependencyContainer): z.ZodType {
  const options = listPlugins(c)
    .filter((p) => p.kind === 'evaluator')
    .map((p) => evaluateEntrySchema.extend({ use: z.literal(p.name), with: p.options.optional() }).describe(p.description));
  if (options.length === 0) return z.never();
  if (options.length === 1) return options[0];
  return z.union(options as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
}

/**
 * The full pipeline schema composed from the registered plugins' option schemas (for the JSON Schema that
 * editors use to autocomplete `with:` blocks).
 * @example
 * z.toJSONSchema(composePipelineSchema(container), { io: 'input' });
 */
export function composePipelineSchema(c: DependencyContainer): z.ZodType {
  const trainer = listPlugins(c).find((p) => p.kind === 'trainer' && p.name === 'sgd');
  const finetune = trainer ? trainer.options : z.record(z.string(), z.unknown());
  return pipelineBaseSchema.extend({
    pruners: z.array(usesOf(c, 'pruner')).min(1),
    similarity: pipelineBaseSchema.shape.similarity
      .unwrap()
      .extend({ use: z.string().default('linear-cka'), with: z.unknown().optional() })
      .optional(),
    finetune: z
      .strictObject({
        candidate: (finetune as z.ZodType).optional(),
        winner: (finetune as z.ZodType).optional(),
        final: (trainer ? (trainer.options as z.ZodObject).extend({ images: finalImagesSchema }) : z.record(z.string(), z.unknown())).optional(),
      })
      .optional(),
    evaluate: z.array(evaluatorUses(c)).optional(),
  });
}
