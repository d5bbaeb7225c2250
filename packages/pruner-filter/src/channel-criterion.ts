import { createImportanceCriterion } from '@omniprune/core/plugin';
import type { ChannelImportance, PluginContext, PluginDefinition } from '@omniprune/plugin-api';
import { bnScaleCriterion, klCriterion, l1Criterion, l2Criterion, randomCriterion } from './criteria/index.js';

/** The channel-importance criteria this package ships, used directly when no plugin container is at hand. */
export const builtinChannelCriteria: readonly PluginDefinition<'criterion'>[] = [l1Criterion, l2Criterion, bnScaleCriterion, klCriterion, randomCriterion];

/**
 * Create the channel-importance criterion `name`: through `ctx.create` (any registered criterion, options
 * validated by its schema) or, outside a container, one of {@link builtinChannelCriteria}.
 * Throws `E_UNKNOWN_PLUGIN`, `E_SCHEMA`, or `E_BAD_INPUT` when the criterion does not score channels.
 * @example
 * const criterion = await channelCriterion('kl', { samplesPerClass: 100 }, { log: console.log, seed: 1 });
 */
export function channelCriterion(name: string, options: unknown, ctx: PluginContext): Promise<ChannelImportance> {
  return createImportanceCriterion<ChannelImportance>(ctx, {
    name,
    options,
    role: 'channel-importance',
    method: 'scoreChannels',
    builtins: builtinChannelCriteria,
    pruner: 'pruner:filter',
  });
}
