import type { IterationStopContext, ProposalsStopContext, ReachableContext, StopDecision, StopPipelineView, StopRule } from '@omniprune/plugin-api';
import type { DependencyContainer } from 'tsyringe';
import { z } from 'zod';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { listPlugins } from '../plugin/plugin-container.js';

/** The stop keys core itself reads (plugins' rules add theirs). Reductions are fractions of the baseline. */
export interface CoreStop {
  readonly flopsReduction?: number;
  readonly paramsReduction?: number;
  readonly minAccuracy?: number;
  readonly maxAccuracyDrop?: number;
  readonly maxIterations: number;
}

/** The parsed `stop:` block of a pipeline: core's keys and those of every registered plugin's rules. */
export type StopTargets = CoreStop & Readonly<Record<string, unknown>>;

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** The accuracy below which the run stops, or -Infinity. */
export function accuracyFloor(stop: CoreStop, baseline: { accuracy: number }): number {
  const floors = [stop.minAccuracy ?? -Infinity, stop.maxAccuracyDrop !== undefined ? baseline.accuracy - stop.maxAccuracyDrop : -Infinity];
  return Math.max(...floors);
}

const accuracyRule: StopRule<CoreStop> = {
  name: 'accuracy-floor',
  options: { minAccuracy: z.number().min(0).max(1).optional(), maxAccuracyDrop: z.number().min(0).max(1).optional() },
  afterIteration({ stop, stats, baseline }) {
    const floor = accuracyFloor(stop, baseline);
    if (stats.accuracy >= floor) return null;
    const message = `accuracy ${pct(stats.accuracy)} fell below the floor ${pct(floor)}; the final model is the previous iteration's`;
    return { reason: 'accuracy-floor', message };
  },
  reachable({ stop, baseline }) {
    if (stop.minAccuracy === undefined || baseline.accuracy >= stop.minAccuracy) return;
    throw new OmnipruneError(
      'E_UNREACHABLE_TARGET',
      `the base model's accuracy ${pct(baseline.accuracy)} is already below stop.minAccuracy ${pct(stop.minAccuracy)}`,
      {
        hint: 'lower stop.minAccuracy or train the base model longer',
      },
    );
  },
};

/** A rule that stops once a reduction of the base model's `measure` reaches `stop[key]`. */
function reductionRule(key: 'flopsReduction' | 'paramsReduction', measure: 'flops' | 'params', words: string): StopRule<CoreStop> {
  return {
    name: `${measure}-target`,
    options: { [key]: z.number().gt(0).lt(1).optional() },
    afterIteration({ stop, stats, baseline }) {
      const target = stop[key];
      const reached = 1 - stats[measure] / baseline[measure];
      if (target === undefined || reached < target) return null;
      return { reason: `${measure}-target`, message: `${words} reduced by ${pct(reached)} (target ${pct(target)})` };
    },
  };
}

const nothingToPrune: StopRule<CoreStop> = {
  name: 'nothing-to-prune',
  options: {},
  afterProposals: ({ candidates }) => (candidates.length === 0 ? { reason: 'nothing-to-prune', message: 'no pruner found anything left to remove' } : null),
};

const iterationCap: StopRule<CoreStop> = {
  name: 'max-iterations',
  options: { maxIterations: z.number().int().positive().default(50) },
  afterIteration: ({ stop, iteration }) =>
    iteration >= stop.maxIterations ? { reason: 'max-iterations', message: `reached ${stop.maxIterations} iterations` } : null,
};

/**
 * Every stop rule a pipeline run in `c` checks, in order: core's (nothing left, accuracy floor, FLOPs and parameter
 * targets), then the registered plugins' (in registration order), then the iteration cap.
 * @example
 * stopRulesOf(container).map((r) => r.name) // ['nothing-to-prune', 'accuracy-floor', 'flops-target', ..., 'min-blocks', 'max-iterations']
 */
export function stopRulesOf(c: DependencyContainer): readonly StopRule[] {
  const contributed = listPlugins(c).flatMap((p) => p.stopRules ?? []);
  const core = [nothingToPrune, accuracyRule, reductionRule('flopsReduction', 'flops', 'FLOPs'), reductionRule('paramsReduction', 'params', 'parameters')];
  return [...core, ...contributed, iterationCap] as StopRule[];
}

/**
 * The `stop:` block's schema: every rule's keys in one strict object (a key two rules declare must agree: the first wins).
 * @example
 * stopSchemaOf(stopRulesOf(container)).parse({ minBlocksPerStage: 2 }).maxIterations // 50
 */
export function stopSchemaOf(rules: readonly StopRule[]): z.ZodType<StopTargets> {
  const shape: Record<string, z.ZodType> = {};
  for (const rule of rules) for (const [key, schema] of Object.entries(rule.options)) shape[key] ??= schema;
  return z.strictObject(shape).prefault({}) as unknown as z.ZodType<StopTargets>;
}

/** The first rule's decision, in rule order, or null. */
function firstDecision(rules: readonly StopRule[], ask: (rule: StopRule) => StopDecision | null | undefined): StopDecision | null {
  for (const rule of rules) {
    const decision = ask(rule);
    if (decision) return decision;
  }
  return null;
}

/** Whether to stop after the pruners proposed, before any candidate is built. */
export function stopAfterProposals(rules: readonly StopRule[], ctx: ProposalsStopContext<StopTargets>): StopDecision | null {
  return firstDecision(rules, (rule) => rule.afterProposals?.(ctx));
}

/** Whether to stop after an iteration kept its winner. */
export function stopAfterIteration(rules: readonly StopRule[], ctx: IterationStopContext<StopTargets>): StopDecision | null {
  return firstDecision(rules, (rule) => rule.afterIteration?.(ctx));
}

/** Throw before any pruning when a rule's target cannot be reached. */
export function checkReachable(rules: readonly StopRule[], ctx: ReachableContext<StopTargets>): void {
  for (const rule of rules) rule.reachable?.(ctx);
}

/** The first problem a rule finds with the rest of the pipeline, or null. */
export function stopPipelineProblem(rules: readonly StopRule[], stop: StopTargets, pipeline: StopPipelineView): { message: string; hint: string } | null {
  for (const rule of rules) {
    const problem = rule.checkPipeline?.(stop, pipeline);
    if (problem) return problem;
  }
  return null;
}
