import type { CriterionRole, PluginDefinition } from '@omniprune/plugin-api';
import type { DependencyContainer } from 'tsyringe';
import { z } from 'zod';
import { BACKEND_NAMES } from '../backend/index.js';
import { dataPipelineSchema } from '../data/prepare-data.js';
import type { PluginKind } from '../plugin/define-plugin.js';
import { listPlugins } from '../plugin/plugin-container.js';
import { stopRulesOf, stopSchemaOf, type StopTargets } from './stop-rules.js';

/**
 * A pruner whose proposal only sizes other pruners' candidates (their `sizedBy`, e.g. the filter pruner's
 * `match-layer` budget) and is never built, fine-tuned or scored itself. `run --only` sets it on the pruners it
 * leaves out, so a filter-only baseline takes the same step sizes as the all-at-once run's filter candidates.
 */
const sizingOnly = z.boolean().default(false);

/**
 * Where the pipeline's model comes from: a model file (TF.js/Keras `model.json`, Keras `.h5`/`.keras`, ONNX `.onnx`),
 * or a zoo model trained from scratch first (`train`: the trainer's options). `logitsLayer`/`output` override how the
 * classifier's output is read (default: from the output layer's activation; see core's `classifierOutput`).
 */
function modelSourceSchema(trainerOptions: z.ZodType) {
  return z.union([
    z.strictObject({
      path: z.string().min(1),
      /** Layer whose output is the logits. */
      logitsLayer: z.string().min(1).optional(),
      /** What the model's output is. */
      output: z.enum(['logits', 'probabilities']).optional(),
    }),
    z.strictObject({ zoo: z.string().min(1), train: trainerOptions, seed: z.number().int().optional() }),
  ]);
}

/**
 * Candidate kinds in the order they win exact similarity ties (`[head, layer, filter]`); kinds not listed come after,
 * in pipeline order. A single kind (`layer`) or `first` (pipeline order) is the short form. Default: the kinds the
 * registered pruners declare, in registration order.
 */
function tiesSchema(defaults: readonly string[]) {
  return z
    .union([z.array(z.string().min(1)), z.string().min(1)])
    .default([...defaults])
    .transform((t): string[] => (Array.isArray(t) ? t : t === 'first' ? [] : [t]));
}

/** `finetune.final.images`: training images per epoch of the recovery, `all` (default: the whole training split) or a stratified subset. */
export const finalImagesSchema = z.union([z.literal('all'), z.number().int().positive()]).default('all');

/** The pipeline's keys that name no plugin (the plugin slots are composed from the registry by {@link pipelineSchemaOf}). */
const staticShape = {
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
  data: dataPipelineSchema,
  output: z.string().min(1).default('runs/pipeline'),
  /** Extra formats of the final model: `onnx: true` also writes final/model.onnx (by the CLI, with @omniprune/onnx; batch norms folded). */
  export: z.strictObject({ onnx: z.boolean().default(false) }).default({ onnx: false }),
};

/** Where the similarity is measured, beside the metric's `use`/`with`. */
const similarityShape = {
  /** `penultimate` or a layer name every candidate keeps. */
  layer: z.string().min(1).default('penultimate'),
  /**
   * Samples the similarity is measured on: the paper uses the test set; `validation` is the split held out of
   * training by `data.dataset.validation` (so the reported test accuracy is not measured on the selection data).
   */
  split: z.enum(['train', 'test', 'validation']).default('test'),
  samples: z.number().int().min(4).optional(),
};

/** The shape every composed pipeline parses to (plugin options as the plugins' schemas output them). */
const pipelineSkeleton = z.strictObject({
  ...staticShape,
  model: modelSourceSchema(z.record(z.string(), z.unknown())),
  ties: tiesSchema([]),
  pruners: z.array(z.strictObject({ use: z.string(), with: z.record(z.string(), z.unknown()), sizingOnly })),
  similarity: z.strictObject({ use: z.string(), with: z.unknown(), ...similarityShape }),
  trainer: z.string(),
  finetune: z.strictObject({
    candidate: z.record(z.string(), z.unknown()).optional(),
    winner: z.record(z.string(), z.unknown()).optional(),
    /** One longer recovery of the final model after the loop (the trainer's options plus `images`); `recovery` in report.json. */
    final: z.record(z.string(), z.unknown()).optional(),
  }),
  evaluate: z.array(z.strictObject({ use: z.string(), with: z.unknown(), every: z.number() })),
});

/** A pipeline after validation: every plugin's options parsed by its own schema, once. */
export type PipelineBase = Omit<z.output<typeof pipelineSkeleton>, 'stop'> & { readonly stop: StopTargets };

/** Marks the issue zod raises for a `use:` naming no registered plugin, read back by the pipeline's error. */
export interface UnknownPluginParams {
  readonly unknownPlugin: { readonly kind: PluginKind; readonly role?: CriterionRole; readonly allowed: readonly string[] };
}

/**
 * A `use:`/`with:` entry for each plugin of `kind` (and `role`), one discriminated union on `use`; `extra` keys beside
 * them; `defaultUse` is the plugin an entry without `use` names. A name no plugin has fails on `use` (read back as
 * E_UNKNOWN_PLUGIN by the pipeline's error).
 */
function pluginEntries(plugins: readonly PluginDefinition[], kind: PluginKind, extra: z.ZodRawShape, role?: CriterionRole, defaultUse?: string): z.ZodType {
  const use = (name: string) => (name === defaultUse ? z.literal(name).default(name as never) : z.literal(name));
  const members = plugins
    .filter((p) => p.kind === kind && (!role || !p.role || p.role === role))
    .map((p) => z.strictObject({ use: use(p.name), with: p.options.prefault({}), ...extra }).describe(p.description));
  if (members.length === 1) return members[0];
  if (members.length > 1) return z.discriminatedUnion('use', members as unknown as [z.ZodObject, ...z.ZodObject[]]);
  const params: UnknownPluginParams = { unknownPlugin: { kind, role, allowed: [] } };
  return z.looseObject({ use: z.string().refine(() => false, { message: `no ${role ?? kind} plugins are registered`, params }) });
}

/** Check the criteria a pruner's options name (its definition's `criteria` slots) against the registry. */
function withNestedCriteria(plugins: readonly PluginDefinition[], entries: z.ZodType): z.ZodType {
  return entries.superRefine((entry, ctx) => {
    const { use, with: options } = entry as { use: string; with: Record<string, unknown> };
    const slots = plugins.find((p) => p.kind === 'pruner' && p.name === use)?.criteria ?? [];
    for (const slot of slots) {
      const name = options[slot.option] ?? slot.defaultName;
      if (typeof name !== 'string') continue;
      const candidates = plugins.filter((p) => p.kind === 'criterion' && (!p.role || p.role === slot.role));
      const criterion = candidates.find((p) => p.name === name);
      if (!criterion) {
        const params: UnknownPluginParams = { unknownPlugin: { kind: 'criterion', role: slot.role, allowed: candidates.map((p) => p.name) } };
        ctx.addIssue({ code: 'custom', path: ['with', slot.option], message: `unknown ${slot.role} "${name}"`, params, input: name });
        continue;
      }
      const parsed = criterion.options.safeParse((slot.optionsKey ? options[slot.optionsKey] : undefined) ?? {});
      for (const issue of parsed.error?.issues ?? []) {
        ctx.addIssue({ ...issue, path: ['with', slot.optionsKey ?? slot.option, ...issue.path] } as never);
      }
    }
  });
}

/** The options of the pipeline's `trainer`, for fine-tunes, the zoo model's training and (with `images`) the recovery. */
function trainerVariant(trainer: PluginDefinition, shape: z.ZodRawShape, isDefault: boolean): z.ZodObject {
  const options = trainer.options;
  const final = options instanceof z.ZodObject ? options.extend({ images: finalImagesSchema }) : z.record(z.string(), z.unknown());
  const name = z.literal(trainer.name);
  return z.strictObject({
    ...shape,
    trainer: isDefault ? name.default(trainer.name as never) : name,
    model: modelSourceSchema(options),
    finetune: z.strictObject({ candidate: options.optional(), winner: options.optional(), final: final.optional() }).prefault({}),
  });
}

/**
 * The one pipeline schema, composed from the plugins registered in `c`: a discriminated union of `use:` entries per
 * plugin kind (criteria by role), each `with:` parsed by its plugin's own schema, the trainer's options for every
 * fine-tune, and the `stop:` keys of every stop rule. `validatePipeline` parses with it (plugins then receive these
 * parsed options, never parsed again) and `omniprune plugins schema` turns it into the JSON Schema editors use.
 * @example
 * z.toJSONSchema(pipelineSchemaOf(container), { io: 'input', unrepresentable: 'any' });
 */
export function pipelineSchemaOf(c: DependencyContainer): z.ZodType<PipelineBase> {
  const plugins = listPlugins(c);
  const shape = {
    ...staticShape,
    pruners: z.array(withNestedCriteria(plugins, pluginEntries(plugins, 'pruner', { sizingOnly }))).min(1),
    similarity: pluginEntries(plugins, 'criterion', similarityShape, 'similarity', 'linear-cka').prefault({}),
    evaluate: z.array(pluginEntries(plugins, 'evaluator', { every: z.number().int().positive().default(1) })).default([]),
    stop: stopSchemaOf(stopRulesOf(c)),
    ties: tiesSchema([...new Set(plugins.flatMap((p) => (p.kind === 'pruner' ? (p.kinds ?? []) : [])))]),
  };
  const trainers = plugins.filter((p) => p.kind === 'trainer');
  const variants = trainers.map((t, i) => trainerVariant(t, shape, i === 0));
  if (variants.length === 0) {
    const params: UnknownPluginParams = { unknownPlugin: { kind: 'trainer', allowed: [] } };
    return pipelineSkeleton.extend({ ...shape, trainer: z.string().refine(() => false, { message: 'no trainer plugins are registered', params }) }) as never;
  }
  const schema = variants.length === 1 ? variants[0] : z.discriminatedUnion('trainer', variants as unknown as [z.ZodObject, ...z.ZodObject[]]);
  return schema as unknown as z.ZodType<PipelineBase>;
}
