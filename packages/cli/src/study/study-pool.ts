import type * as tfl from '@tensorflow/tfjs-layers';
import { createPlugin, OmnipruneError, type Pipeline } from '@omniprune/core';
import { buildDependencyGraph } from '@omniprune/core/graph';
import type { InferenceRunner } from '@omniprune/core/prune';
import { createRng } from '@omniprune/core/util';
import type { DependencyGraph, ImageDataset, PruneCandidate, Pruner } from '@omniprune/plugin-api';
import type { PluginContainer } from '@omniprune/core';
import type { StudySpec } from './study-spec.js';

/** One candidate of the pool: what it removes, and the block it removes for a layer candidate. */
export interface PoolEntry {
  readonly candidate: PruneCandidate;
  readonly block?: string;
}

/** What building the pool needs from the study's run. */
export interface PoolContext {
  readonly pipeline: Pipeline;
  readonly container: PluginContainer;
  readonly parent: tfl.LayersModel;
  readonly train: ImageDataset;
  readonly runner: InferenceRunner;
  readonly seed: number;
  readonly log: (line: string) => void;
}

/** The pipeline's pruner entry named `use`, as written (raw options: they are parsed again with the study's overrides). */
function rawEntry(pipeline: Pipeline, use: string): Record<string, unknown> | undefined {
  const entries = (pipeline.source.pruners ?? []) as { use: string; with?: Record<string, unknown> }[];
  const entry = entries.find((e) => e.use === use);
  return entry ? (entry.with ?? {}) : undefined;
}

/** One proposal of pruner `use` with `options` (validated by its schema) from the parent. */
async function proposeWith(
  ctx: PoolContext & { graph: DependencyGraph },
  use: string,
  options: Record<string, unknown>,
  k: number,
): Promise<PruneCandidate | null> {
  const host = { log: () => {}, seed: ctx.seed };
  const pruner = await createPlugin<Pruner>(ctx.container, 'pruner', use, options, host, `study pool (${use})`);
  const { graph } = ctx;
  const rng = createRng(ctx.seed * 7919 + k);
  return pruner.propose({ parent: ctx.parent, graph, iteration: 1, rng, train: ctx.train, earlier: [], runner: ctx.runner, log: ctx.log });
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The study's pool from the parent: one layer candidate per removable block (the pipeline's layer pruner restricted to
 * that block, its constraints kept) and one filter candidate per `filterRatios` size (the pipeline's filter pruner with
 * a `ratio` budget). A pipeline with neither pruner has no pool.
 * @example
 * const pool = await studyPool(ctx, { filterRatios: [0.1], blockCriteria: [] }); // [{ candidate, block: 's1_b1_add' }, ...]
 */
export async function studyPool(poolContext: PoolContext, study: StudySpec): Promise<PoolEntry[]> {
  // one graph of the parent: every pruner proposes from it, as in an iteration
  const ctx = { ...poolContext, graph: buildDependencyGraph(poolContext.parent) };
  const pool: PoolEntry[] = [];
  const layer = rawEntry(ctx.pipeline, 'layer');
  if (layer) {
    const blocks = ctx.graph.blocks.filter((b) => !b.unremovableReason);
    for (const block of blocks) {
      if (pool.length === (study.maxBlocks ?? Number.POSITIVE_INFINITY)) break;
      const options = { ...layer, criterion: 'block-l1', criterionOptions: {}, blocksPerIteration: 1, include: `^${escapeRegex(block.id)}$` };
      const candidate = await proposeWith(ctx, 'layer', options, pool.length);
      if (candidate) pool.push({ candidate, block: block.id });
    }
  }
  const filter = rawEntry(ctx.pipeline, 'filter');
  for (const ratio of filter ? study.filterRatios : []) {
    const candidate = await proposeWith(ctx, 'filter', { ...filter, budget: { type: 'ratio', ratio } }, pool.length);
    if (candidate) pool.push({ candidate });
  }
  if (pool.length < 3) {
    throw new OmnipruneError('E_BAD_INPUT', `the study's pool has ${pool.length} candidate${pool.length === 1 ? '' : 's'}: too few to rank`, {
      hint: 'the base pipeline needs a layer and/or a filter pruner; add filterRatios or use a deeper model',
    });
  }
  return pool;
}
