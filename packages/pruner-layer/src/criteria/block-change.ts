import { z } from 'zod';
import { defineCriterion, type BlockImportance, type CoreServices, type Features, type ProposeContext, type ResidualBlock } from '@omniprune/plugin-api';

/** Options of the criteria that measure how much a block changes its input. */
export const blockChangeOptions = z.strictObject({
  /** Training images per class the block's input and output are taken on (the proposal's scoring sample). */
  samplesPerClass: z.number().int().positive().default(20),
});

/**
 * Mean over samples and spatial positions of `measure(cosine)` between a block's input and output channel vectors
 * (both `[..., c]` in TF.js layout, so each position's channels are `c` contiguous values).
 */
function meanOverPositions(input: Features, output: Features, channels: number, measure: (cosine: number) => number): number {
  let sum = 0;
  let count = 0;
  for (let offset = 0; offset + channels <= input.data.length; offset += channels) {
    let dot = 0;
    let nx = 0;
    let ny = 0;
    for (let c = 0; c < channels; c++) {
      const x = input.data[offset + c];
      const y = output.data[offset + c];
      dot += x * y;
      nx += x * x;
      ny += y * y;
    }
    if (nx === 0 || ny === 0) continue; // an all-zero vector (a dead ReLU position) has no direction
    sum += measure(Math.max(-1, Math.min(1, dot / Math.sqrt(nx * ny))));
    count++;
  }
  return count ? sum / count : 0;
}

/**
 * Per block, the mean of `measure(cos(input, output))` over the proposal's scoring sample and every spatial position:
 * the block's input is its shortcut (`block.input`), its output the Add layer. Blocks whose input and output differ in
 * shape (projection blocks, never removable) score 0.
 */
async function blockChangeScores(
  services: CoreServices,
  pc: ProposeContext,
  blocks: readonly ResidualBlock[],
  samplesPerClass: number,
  measure: (cosine: number) => number,
): Promise<number[]> {
  const sample = services.scoring.sample(pc, samplesPerClass);
  const scores: number[] = [];
  for (const block of blocks) {
    const input = await services.capture.features(pc.parent, block.input, sample);
    const output = await services.capture.features(pc.parent, block.id, sample);
    const channels = pc.graph.layers.get(block.id)?.outputShape.at(-1) ?? 0;
    scores.push(input.cols === output.cols && channels > 0 ? meanOverPositions(input, output, channels, measure) : 0);
  }
  return scores;
}

/** A block criterion plugin scoring blocks by `measure` of the cosine between their input and output. */
function blockChangeCriterion(name: string, description: string, measure: (cosine: number) => number) {
  return defineCriterion({
    name,
    role: 'block-importance',
    description,
    options: blockChangeOptions,
    create: (options, ctx): BlockImportance => ({
      role: 'block-importance',
      name,
      scoreBlocks: (pc, blocks) => blockChangeScores(ctx.services, pc, blocks, options.samplesPerClass, measure),
    }),
  });
}

/**
 * Block criterion plugin `block-influence`: Block Influence (ShortGPT, Men et al. 2024), `1 - cos(input, output)` of
 * the block averaged over samples and positions. A block that barely turns its input scores low and is removed first.
 * @example
 * pruners: [{ use: layer, with: { criterion: block-influence, criterionOptions: { samplesPerClass: 20 } } }]
 */
export const blockInfluenceCriterion = blockChangeCriterion(
  'block-influence',
  'Block importance = Block Influence, 1 - cosine between the block input and output (ShortGPT, Men et al. 2024)',
  (cosine) => 1 - cosine,
);

/**
 * Block criterion plugin `block-angular`: the angular distance `arccos(cos(input, output)) / pi` between a block's
 * input and output (Gromov et al. 2024, "The Unreasonable Ineffectiveness of the Deeper Layers"), averaged over samples
 * and positions; in [0, 1].
 */
export const blockAngularCriterion = blockChangeCriterion(
  'block-angular',
  'Block importance = angular distance arccos(cos(input, output)) / pi of the block (Gromov et al. 2024)',
  (cosine) => Math.acos(cosine) / Math.PI,
);

/**
 * Block criterion plugin `block-last`: the "drop the last blocks" baseline, the deepest removable block scores lowest
 * (score = minus its position), whatever the data. What a reviewer asks a data-driven criterion to beat.
 */
export const lastBlockCriterion = defineCriterion({
  name: 'block-last',
  role: 'block-importance',
  description: 'Block importance = minus the block position: remove the deepest blocks first (baseline)',
  options: z.strictObject({}),
  create: (): BlockImportance => ({
    role: 'block-importance',
    name: 'block-last',
    scoreBlocks: async (_pc, blocks) => blocks.map((b) => -b.index),
  }),
});
