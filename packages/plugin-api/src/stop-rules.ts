import type * as tfl from '@tensorflow/tfjs-layers';
import type { z } from 'zod';
import type { ModelCost } from './core-services.js';
import type { Evaluation } from './evaluator.js';
import type { DependencyGraph } from './graph-types.js';
import type { PruneCandidate, StructureKind } from './prune-types.js';

/** Why a run stops, in words for humans; `reason` is a kebab-case code recorded in the report (`min-blocks`). */
export interface StopDecision {
  readonly reason: string;
  readonly message: string;
}

/** A run's measured model: what stop rules and reports compare against the base model. */
export interface StopModelStats {
  readonly flops: number;
  readonly params: number;
  readonly accuracy: number;
}

/** What a stop rule sees after the pruners proposed, before any candidate is built. */
export interface ProposalsStopContext<O> {
  /** The pipeline's `stop:` block, parsed (every rule's keys). */
  readonly stop: O;
  /** Structure kinds of the pipeline's pruners, sizing-only ones included. */
  readonly kinds: readonly StructureKind[];
  /** Every proposal of this iteration, those of sizing-only pruners included. */
  readonly proposals: readonly PruneCandidate[];
  /** The proposals that become candidates (built, fine-tuned and scored): those of the other pruners. */
  readonly candidates: readonly PruneCandidate[];
}

/** What a stop rule sees after an iteration kept its winner. */
export interface IterationStopContext<O> {
  readonly stop: O;
  /** The new parent (the winner) and its dependency graph. */
  readonly model: tfl.LayersModel;
  readonly graph: DependencyGraph;
  readonly iteration: number;
  readonly stats: StopModelStats;
  readonly baseline: StopModelStats;
  /** The winner's evaluator results of this iteration, keyed by evaluator name (absent when none ran). */
  readonly evaluations?: Readonly<Record<string, Evaluation>>;
}

/** What a stop rule sees before any pruning, to refuse a target that cannot be reached. */
export interface ReachableContext<O> {
  readonly stop: O;
  readonly kinds: readonly StructureKind[];
  readonly model: tfl.LayersModel;
  readonly graph: DependencyGraph;
  readonly cost: ModelCost;
  readonly baseline: StopModelStats;
}

/** The parts of a pipeline a stop rule may check its keys against when the pipeline is validated. */
export interface StopPipelineView {
  readonly pruners: readonly { readonly use: string }[];
  readonly evaluate: readonly { readonly use: string; readonly every: number }[];
}

/**
 * A stopping rule a plugin contributes: the keys it adds to the pipeline's `stop:` block (`options`, each optional or
 * defaulted) and when it stops the run. Core runs every registered rule whose keys a pipeline sets; its own rules
 * (accuracy floor, FLOPs and parameter targets, iteration cap) are written the same way.
 * @example
 * const rule: StopRule<{ minBlocksPerStage?: number }> = {
 *   name: 'min-blocks',
 *   options: { minBlocksPerStage: z.number().int().nonnegative().optional() },
 *   afterIteration: ({ stop, graph }) => (stop.minBlocksPerStage !== undefined && ... ? { reason: 'min-blocks', message: '...' } : null),
 * };
 */
export interface StopRule<O = Record<string, unknown>> {
  /** kebab-case, unique among the registered rules. */
  readonly name: string;
  /** Keys of the `stop:` block this rule reads, with their schemas (documented with `.describe()`). */
  readonly options: Readonly<Record<string, z.ZodType>>;
  /** Stop before building this iteration's candidates (none is kept). */
  afterProposals?(ctx: ProposalsStopContext<O>): StopDecision | null;
  /** Stop after this iteration (its winner is the last model). */
  afterIteration?(ctx: IterationStopContext<O>): StopDecision | null;
  /** Throw an `OmnipruneError('E_UNREACHABLE_TARGET', ...)` when a target can never be reached from the base model. */
  reachable?(ctx: ReachableContext<O>): void;
  /** A message (path: problem) and hint when the rest of the pipeline cannot serve this rule's keys; null when fine. */
  checkPipeline?(stop: O, pipeline: StopPipelineView): { message: string; hint: string } | null;
}
