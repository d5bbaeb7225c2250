import { z } from 'zod';
import { defineCriterion, type ChannelImportance, type ProposeContext, type RemoveChannelsPlan } from '@omniprune/plugin-api';
import type { ChannelGroup } from '@omniprune/core/graph';
import type { CoreServices } from '@omniprune/core/plugin';

/** Options of the `kl` channel criterion. */
export const klCriterionOptions = z.strictObject({
  /** Training images per class the divergence is averaged over. Default 50 (the paper: 500). */
  samplesPerClass: z.number().int().positive().default(50),
  /** Forward-pass batch size. Default 256. */
  batchSize: z.number().int().positive().default(256),
});

/** Parsed options of the `kl` criterion. */
export type KlCriterionOptions = z.output<typeof klCriterionOptions>;

/** Each channel of `group` as a mask: zeroed alone. */
export function channelMasks(group: ChannelGroup): RemoveChannelsPlan[] {
  return Array.from({ length: group.size }, (_, ch) => ({ kind: 'remove-channels', group: group.id, indices: [ch] }));
}

/**
 * Data-driven filter importance (Luo & Wu 2020, the paper's default): for each channel, mask it in place (exactly
 * what removing it computes), run the model on the proposal's scoring sample on the run's inference runner and
 * score `mean KL(softmax_masked || softmax_original)`, through `services.scoring.scoreMasked` (the sample and the
 * parent's predictions are shared by every group of the proposal; weights restored after each pass). One forward
 * pass over the sample per channel: a ResNet-56 has 1,008 `conv1` filters, so 1,008 passes over
 * `samplesPerClass x classes` images.
 * @example
 * const scores = await klChannelScores(ctx.services, pc, group, { samplesPerClass: 50, batchSize: 256 });
 */
export async function klChannelScores(services: CoreServices, pc: ProposeContext, group: ChannelGroup, options: KlCriterionOptions): Promise<Float32Array> {
  const scoring = { ...options, masks: channelMasks(group), readout: { kind: 'logits' }, measure: services.scoring.predictionKl } as const;
  return Float32Array.from(await services.scoring.scoreMasked(pc, scoring));
}

/** Channel criterion plugin `kl`: one sample and one parent prediction per proposal, reused for every group. */
export const klCriterion = defineCriterion({
  name: 'kl',
  role: 'channel-importance',
  description: 'Filter importance = mean KL divergence of predictions with the filter masked (Luo & Wu 2020); one forward pass per filter',
  options: klCriterionOptions,
  create: (options, ctx): ChannelImportance => ({
    role: 'channel-importance',
    name: 'kl',
    scoreChannels: (pc, group) => klChannelScores(ctx.services, pc, group, options),
  }),
});
