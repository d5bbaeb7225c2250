import { OmnipruneError, formatZodIssues, type ChannelImportance, type PluginContext, type PluginDefinition } from '@omniprune/core';
import { bnScaleCriterion, klCriterion, l1Criterion, l2Criterion, randomCriterion } from './criteria/index.js';

/** The channel-importance criteria this package ships, used directly when no plugin container is at hand. */
export const builtinChannelCriteria: readonly PluginDefinition<'criterion'>[] = [l1Criterion, l2Criterion, bnScaleCriterion, klCriterion, randomCriterion];

function isChannelImportance(value: unknown): value is ChannelImportance {
  const v = value as Partial<ChannelImportance> | null;
  return typeof v === 'object' && v !== null && v.role === 'channel-importance' && typeof v.scoreChannels === 'function';
}

/**
 * Create the channel-importance criterion `name`: through `ctx.create` (any registered criterion, options
 * validated by its schema) or, outside a container, one of {@link builtinChannelCriteria}.
 * Throws `E_UNKNOWN_PLUGIN`, `E_SCHEMA`, or `E_BAD_INPUT` when the criterion does not score channels.
 * @example
 * const criterion = await channelCriterion('kl', { samplesPerClass: 100 }, { log: console.log, seed: 1 });
 */
export async function channelCriterion(name: string, options: unknown, ctx: PluginContext): Promise<ChannelImportance> {
  let instance: unknown;
  if (ctx.create) {
    instance = await ctx.create('criterion', name, options);
  } else {
    const builtin = builtinChannelCriteria.find((c) => c.name === name);
    if (!builtin) {
      throw new OmnipruneError('E_UNKNOWN_PLUGIN', `unknown channel criterion "${name}"`, {
        plugin: 'pruner:filter', hint: `built-in channel criteria: ${builtinChannelCriteria.map((c) => c.name).join(', ')}`,
      });
    }
    const parsed = builtin.options.safeParse(options ?? {});
    if (!parsed.success) {
      throw new OmnipruneError('E_SCHEMA', `invalid options for criterion:${name}:\n  ${formatZodIssues(parsed.error, 'criterionOptions')}`, {
        plugin: 'pruner:filter', hint: `see the options of criterion:${name} in the @omniprune/pruner-filter README`,
      });
    }
    instance = await builtin.create(parsed.data, ctx);
  }
  if (!isChannelImportance(instance)) {
    throw new OmnipruneError('E_BAD_INPUT', `criterion "${name}" does not score channels (its role is not channel-importance)`, {
      plugin: 'pruner:filter', hint: `use a channel-importance criterion: ${builtinChannelCriteria.map((c) => c.name).join(', ')}, or a third-party one`,
    });
  }
  return instance;
}
