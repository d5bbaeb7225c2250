import { z } from 'zod';
import { defineCriterion, type ChannelImportance } from '@omniprune/plugin-api';
import type { ChannelGroup } from '@omniprune/core/graph';
import type { Rng } from '@omniprune/core/util';

/**
 * Uniform random scores in [0, 1), one per channel, from `rng`: a baseline that any criterion should beat.
 * @example
 * randomChannelScores(createRng(1), group) // Float32Array(group.size)
 */
export function randomChannelScores(rng: Rng, group: Pick<ChannelGroup, 'size'>): Float32Array {
  return Float32Array.from({ length: group.size }, () => rng.next());
}

/** Channel criterion plugin `random`, drawing from the proposal's seeded generator. Takes no options. */
export const randomCriterion = defineCriterion({
  name: 'random',
  role: 'channel-importance',
  description: "Random filter importance from the run's seeded generator (a baseline)",
  options: z.strictObject({}),
  create: (): ChannelImportance => ({
    role: 'channel-importance',
    name: 'random',
    scoreChannels: async (ctx, group) => randomChannelScores(ctx.rng, group),
  }),
});
