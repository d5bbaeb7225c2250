import type * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError, readModel } from '@omniprune/core';
import { createEvaluators, disposeEvaluators, runEvaluators, type EvaluationSetting, type Evaluations } from '@omniprune/core/evaluate';
import { builtinContainer } from './plugin-registry.js';

/** What `eval --evaluate` runs. */
export interface EvaluateOnce {
  /** Comma list of evaluator plugin names. */
  readonly names: string;
  /** A reference model file the evaluators compare with, evaluated first. */
  readonly reference?: string;
  readonly seed: number;
  readonly setting: Omit<EvaluationSetting, 'seed' | 'log'>;
  readonly quiet: boolean;
}

/**
 * Run evaluator plugins (default options) on `model`, after running them on the reference model when one is given.
 * @example
 * await runEvaluatorsOnce(model, { names: 'adversarial,ood', seed: 1, setting, quiet: false });
 */
export async function runEvaluatorsOnce(model: tfl.LayersModel, o: EvaluateOnce): Promise<Evaluations> {
  const names = o.names
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (names.length === 0) throw new OmnipruneError('E_BAD_INPUT', '--evaluate names no evaluator', { hint: 'e.g. --evaluate adversarial,ood' });
  const log = (m: string) => (o.quiet ? undefined : process.stderr.write(`${m}\n`));
  const container = builtinContainer();
  const evaluators = await createEvaluators(
    container,
    names.map((use) => ({ use, every: 1 })),
    { log, seed: o.seed },
  );
  const setting: EvaluationSetting = { ...o.setting, seed: o.seed, log };
  const reference = o.reference ? (await readModel(o.reference, container)).model : undefined;
  try {
    if (!reference) return await runEvaluators(evaluators, model, setting, { phase: 'eval', iteration: 0 });
    const results = await runEvaluators(evaluators, reference, setting, { phase: 'eval', iteration: 0 });
    return await runEvaluators(evaluators, model, setting, { phase: 'eval', iteration: 0, reference: { model: reference, results } });
  } finally {
    reference?.dispose();
    await disposeEvaluators(evaluators, log);
  }
}
