import type * as tfl from '@tensorflow/tfjs-layers';
import type { DependencyContainer } from 'tsyringe';
import { createPlugin } from '../plugin/create-plugin.js';
import type { HostContext } from '../plugin/plugin-context.js';
import type { EvaluateEntry } from './evaluate-schema.js';
import type { Evaluation, EvaluationContext, EvaluationPhase, Evaluator, TrainingPhase } from './evaluator-types.js';

/** An evaluator of a run with its schedule. */
export interface ScheduledEvaluator {
  readonly name: string;
  readonly every: number;
  readonly evaluator: Evaluator;
}

/** Results of every evaluator that ran on one model, by evaluator name. */
export type Evaluations = Readonly<Record<string, Evaluation>>;

/** What every evaluation of a run shares: the data and the runner (phase, iteration and reference vary). */
export type EvaluationSetting = Omit<EvaluationContext, 'phase' | 'iteration' | 'reference'>;

/**
 * Create a pipeline's evaluators (options validated by each plugin's schema; errors name `evaluate[i].with`).
 * @example
 * const evaluators = await createEvaluators(container, pipeline.evaluate, ctx);
 */
export async function createEvaluators(container: DependencyContainer, entries: readonly EvaluateEntry[], ctx: HostContext): Promise<ScheduledEvaluator[]> {
  const out: ScheduledEvaluator[] = [];
  for (const [i, e] of entries.entries()) {
    out.push({ name: e.use, every: e.every, evaluator: await createPlugin<Evaluator>(container, 'evaluator', e.use, e.with, ctx, `evaluate[${i}].with`) });
  }
  return out;
}

/** Whether `e` runs on iteration `iteration`'s winner. */
export function dueAt(e: Pick<ScheduledEvaluator, 'every'>, iteration: number): boolean {
  return iteration % e.every === 0;
}

/**
 * Run `evaluators` on `model`, one after the other, each compared with its own result on the reference model when
 * `reference` is given (the run's base model). An evaluator that throws gets a result with `error` set and empty
 * metrics (logged); an abort still ends the call.
 * @example
 * const onBase = await runEvaluators(evaluators, base, setting, { phase: 'baseline', iteration: 0 });
 * const onWinner = await runEvaluators(evaluators, winner, setting, { phase: 'iteration', iteration: 3, reference: { model: base, results: onBase } });
 */
export async function runEvaluators(
  evaluators: readonly ScheduledEvaluator[],
  model: tfl.LayersModel,
  setting: EvaluationSetting,
  at: { phase: EvaluationPhase; iteration: number; reference?: { model: tfl.LayersModel; results: Evaluations } },
): Promise<Record<string, Evaluation>> {
  const results: Record<string, Evaluation> = {};
  for (const { name, evaluator } of evaluators) {
    setting.signal?.throwIfAborted();
    const own = at.reference?.results[name];
    // a reference result that failed is no reference
    const reference = at.reference && own && !own.error ? { model: at.reference.model, result: own } : undefined;
    try {
      results[name] = await evaluator.evaluate(model, { ...setting, phase: at.phase, iteration: at.iteration, ...(reference ? { reference } : {}) });
    } catch (e) {
      if (setting.signal?.aborted) throw e;
      // one evaluator failing (a missing runtime, a plugin bug) costs its own result, not the run
      const message = ((e as Error)?.message ?? String(e)).split('\n')[0];
      setting.log(`evaluator ${name} failed on the ${at.phase === 'iteration' ? `iteration ${at.iteration} winner` : `${at.phase} model`}: ${message}`);
      results[name] = { metrics: {}, summary: `failed: ${message}`, error: message };
    }
  }
  return results;
}

/** Tell every evaluator that watches training that a fine-tune of `phase` starts or ends. */
export function observeTraining(evaluators: readonly ScheduledEvaluator[], phase: TrainingPhase, event: 'start' | 'end'): void {
  for (const { evaluator } of evaluators) evaluator.observeTraining?.(phase, event);
}

/** Free what the evaluators hold; never throws (a failing dispose is logged). */
export async function disposeEvaluators(evaluators: readonly ScheduledEvaluator[], log: (m: string) => void): Promise<void> {
  for (const { name, evaluator } of evaluators) {
    try {
      await evaluator.dispose?.();
    } catch (e) {
      log(`evaluator ${name}: dispose failed: ${(e as Error).message}`);
    }
  }
}

/** The metric an evaluation is summarised by: its headline, else its first metric. */
export function headlineOf(result: Evaluation): { metric: string; value: number } | undefined {
  const metric = result.headline && result.headline in result.metrics ? result.headline : Object.keys(result.metrics)[0];
  return metric === undefined ? undefined : { metric, value: result.metrics[metric] };
}
