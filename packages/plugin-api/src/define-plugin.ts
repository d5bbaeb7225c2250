import type { z } from 'zod';
import type { CoreServices } from './core-services.js';
import type { StructureKind } from './prune-types.js';
import type { StopRule } from './stop-rules.js';

/** Version of the plugin API this package describes. Plugins are stamped with it; a core implementing another refuses them. */
export const PLUGIN_API_VERSION = 1;

/** The kinds of extension point. */
export type PluginKind = 'pruner' | 'criterion' | 'trainer' | 'format' | 'evaluator';

/**
 * What a criterion plugin does, declared once here: `similarity` compares two representations (selects candidates);
 * the importance roles score structures inside a pruner.
 */
export type CriterionRole = 'similarity' | 'block-importance' | 'channel-importance' | 'head-importance';

/** The criterion roles, in one list (for validation messages and schemas). */
export const CRITERION_ROLES: readonly CriterionRole[] = ['similarity', 'block-importance', 'channel-importance', 'head-importance'];

/**
 * A criterion a pruner takes through its options: `with[option]` names a criterion plugin of `role` (default
 * `defaultName`), `with[optionsKey]` holds that criterion's options. Pipelines resolve and validate it before any work.
 */
export interface CriterionSlot {
  readonly option: string;
  readonly optionsKey?: string;
  readonly role: CriterionRole;
  readonly defaultName?: string;
}

/** Services core hands to a plugin's `create`. Extended as core grows; plugins must ignore unknown fields. */
export interface PluginContext {
  /** Log a line for humans (progress, warnings). */
  log(message: string): void;
  /** Seed of the run, for deterministic plugins. */
  seed: number;
  /**
   * Core services (model graph, activation capture, FLOPs, gradients, masked scoring, the host's TensorFlow.js). Always
   * present: the container fills it, and tests build contexts with core's `testPluginContext()`.
   */
  services: CoreServices;
  /**
   * Create another registered plugin (e.g. a pruner creating its importance criterion); options are validated
   * with that plugin's schema. Absent when a plugin is created outside a container (tests).
   */
  create?<T = unknown>(kind: PluginKind, name: string, options?: unknown): Promise<T>;
}

/**
 * A plugin: plain data with a zod schema for its options and a factory. No side effects on import.
 * `T` is the instance type (a Pruner, a Criterion, ...).
 */
export interface PluginDefinition<K extends PluginKind = PluginKind, O extends z.ZodType = z.ZodType, T = unknown> {
  readonly apiVersion: number;
  readonly kind: K;
  /** Unique within its kind, kebab-case, e.g. `linear-cka`. Registered as `<kind>:<name>`. */
  readonly name: string;
  /** For criteria: what the instance does. Pipelines check that e.g. `similarity.use` names a similarity. */
  readonly role?: CriterionRole;
  /**
   * For pruners: the structure kinds their candidates have (`layer`, `filter`, `head`, or a kind of their own). The
   * kinds of the registered pruners, in registration order, are the default tie order of a pipeline (`ties:`).
   */
  readonly kinds?: readonly StructureKind[];
  /** For pruners: the criteria their options name (validated with the pipeline, before data is loaded). */
  readonly criteria?: readonly CriterionSlot[];
  /** One line for `omniprune plugins list`. */
  readonly description: string;
  /**
   * Stopping rules this plugin contributes (pruners and evaluators): their keys join the pipeline's `stop:` block
   * whenever the plugin is registered, so a pipeline can set them even where the plugin proposes nothing.
   */
  // biome-ignore lint/suspicious/noExplicitAny: each rule reads its own keys of the stop block
  readonly stopRules?: readonly StopRule<any>[];
  /** Options schema; YAML `with:` blocks are validated with it. */
  readonly options: O;
  /** Build an instance from validated options. */
  create(options: z.output<O>, ctx: PluginContext): T | Promise<T>;
}

/** The argument of a `define*` helper: a definition without `kind`; `apiVersion` defaults to {@link PLUGIN_API_VERSION}. */
export type PluginSpec<K extends PluginKind, O extends z.ZodType, T> = Omit<PluginDefinition<K, O, T>, 'kind' | 'apiVersion'> & { apiVersion?: number };

type Definer<K extends PluginKind> = <O extends z.ZodType, T>(plugin: PluginSpec<K, O, T>) => PluginDefinition<K, O, T>;

function definer<K extends PluginKind>(kind: K): Definer<K> {
  return (plugin) => Object.freeze({ ...plugin, kind, apiVersion: plugin.apiVersion ?? PLUGIN_API_VERSION });
}

/**
 * Define a pruner plugin: returns a frozen copy with `kind: 'pruner'` and `apiVersion` stamped.
 * @example
 * export const plugin = definePruner({ name: 'fpgm', description: '...', options: z.object({}), create: () => pruner });
 */
export const definePruner = definer('pruner');
/** Define a criterion plugin (similarity metric or importance score; give its `role`). See {@link definePruner}. */
export const defineCriterion = definer('criterion');
/** Define a trainer plugin (`create` returns a `TrainerFactory`). See {@link definePruner}. */
export const defineTrainer = definer('trainer');
/**
 * Define an evaluator plugin (`create` returns an `Evaluator`): robustness, out-of-distribution detection, energy,
 * latency, run on the base model, the iterations' winners and the final model. See {@link definePruner}.
 */
export const defineEvaluator = definer('evaluator');
