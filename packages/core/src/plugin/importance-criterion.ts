import { OmnipruneError } from '../errors/omniprune-error.js';
import { formatZodIssues } from './create-plugin.js';
import type { PluginContext, PluginDefinition } from './define-plugin.js';
import { pluginContext, type HostContext } from './plugin-context.js';

/** What a pruner asks for when it builds its importance criterion. */
export interface ImportanceCriterionSpec {
  /** Criterion plugin name from the pruner's options. */
  readonly name: string;
  readonly options: unknown;
  /** Role the instance must have, e.g. `channel-importance`. */
  readonly role: string;
  /** Method the instance must have, e.g. `scoreChannels`. */
  readonly method: string;
  /** The pruner package's own criteria, used when `ctx` has no container (direct use, tests). */
  readonly builtins: readonly PluginDefinition[];
  /** Token of the asking pruner, e.g. `pruner:filter`, for messages. */
  readonly pruner: string;
}

/**
 * Create a pruner's importance criterion: through `ctx.create` (any registered criterion, third-party ones
 * included, options validated by its schema) or, outside a container, one of `spec.builtins` (created with `ctx`'s
 * services, core's when `ctx` has none). Throws
 * `E_UNKNOWN_PLUGIN`, `E_SCHEMA`, or `E_BAD_INPUT` when the instance does not have the asked role.
 * @example
 * const c = await createImportanceCriterion<ChannelImportance>(ctx, { name: 'l1', options: {}, role: 'channel-importance', method: 'scoreChannels', builtins, pruner: 'pruner:filter' });
 */
export async function createImportanceCriterion<T>(ctx: HostContext & Pick<PluginContext, 'create'>, spec: ImportanceCriterionSpec): Promise<T> {
  const { name, role, pruner, builtins } = spec;
  const names = builtins.map((c) => c.name).join(', ');
  let instance: unknown;
  if (ctx.create) {
    instance = await ctx.create('criterion', name, spec.options);
  } else {
    const builtin = builtins.find((c) => c.name === name);
    if (!builtin)
      throw new OmnipruneError('E_UNKNOWN_PLUGIN', `unknown ${role} criterion "${name}"`, { plugin: pruner, hint: `built-in ${role} criteria: ${names}` });
    const parsed = builtin.options.safeParse(spec.options ?? {});
    if (!parsed.success) {
      throw new OmnipruneError('E_SCHEMA', `invalid options for criterion:${name}:\n  ${formatZodIssues(parsed.error, 'criterionOptions')}`, {
        plugin: pruner,
        hint: `see \`omniprune plugins list\` for the options of criterion:${name}`,
      });
    }
    instance = await builtin.create(parsed.data, pluginContext(ctx));
  }
  const v = instance as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null || v.role !== role || typeof v[spec.method] !== 'function') {
    throw new OmnipruneError('E_BAD_INPUT', `criterion "${name}" is not a ${role} criterion`, {
      plugin: pruner,
      hint: `use a ${role} criterion: ${names}, or a third-party one`,
    });
  }
  return instance as T;
}
