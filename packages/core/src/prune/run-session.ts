import type * as tfl from '@tensorflow/tfjs-layers';
import type { StopRule } from '@omniprune/plugin-api';
import type { DependencyContainer } from 'tsyringe';
import type { Backend } from '../backend/backend-types.js';
import type { Evaluations, ScheduledEvaluator } from '../evaluate/run-evaluators.js';
import type { EvaluationPhase, Evaluator } from '../evaluate/evaluator-types.js';
import { instantiatePlugin } from '../plugin/create-plugin.js';
import type { HostContext } from '../plugin/plugin-context.js';
import { augmentFromSteps } from '../train/augment-from-steps.js';
import type { TrainerFactory } from '../train/sgd-trainer-plugin.js';
import type { AugmentFn, TrainEvent } from '../train/types.js';
import { penultimateLayer } from './capture.js';
import type { SimilarityMetric } from './criterion-types.js';
import { tfjsInferenceRunner, type InferenceRunner } from './inference-runner.js';
import type { Pipeline } from './load-pipeline.js';
import type { Pruner } from './pruner-types.js';
import type { CandidateRecord, ModelStats, RunReport } from './run-report.js';
import { stopRulesOf } from './stop-rules.js';

/** Progress of a pipeline run, for the CLI and for reports. */
export type PipelineEvent =
  | { type: 'log'; message: string }
  | { type: 'baseline'; stats: ModelStats }
  | { type: 'resumed'; completed: number }
  | { type: 'iteration-start'; iteration: number }
  | { type: 'candidate-scored'; iteration: number; record: CandidateRecord }
  | { type: 'chosen'; iteration: number; record: CandidateRecord }
  | { type: 'iteration-end'; iteration: number; stats: ModelStats; flopsReduction: number; paramsReduction: number }
  | { type: 'train'; phase: 'base' | 'candidate' | 'winner' | 'final'; event: TrainEvent }
  | { type: 'evaluated'; phase: EvaluationPhase; iteration: number; results: Evaluations }
  | { type: 'done'; report: RunReport };

/** A pipeline's pruner as the run uses it: its name, instance, and whether it only sizes other candidates. */
export interface SessionPruner {
  readonly name: string;
  readonly pruner: Pruner;
  readonly sizingOnly: boolean;
}

/** Where and how a session computes. */
export interface RunSessionOptions {
  /**
   * The compute backend (from `initBackend`): activated before the run computes and handed to every fine-tune; its
   * name is recorded in the report. A plain name is only recorded. Default: whatever TF.js has active.
   */
  readonly backend?: Backend | string;
  /** Where activation capture and evaluation run; default TF.js ({@link tfjsInferenceRunner}). */
  readonly runner?: InferenceRunner;
  readonly onEvent?: (e: PipelineEvent) => void;
  readonly signal?: AbortSignal;
  /** Create the pipeline's evaluators too (a run does; a queue worker scoring candidates does not). Default true. */
  readonly evaluators?: boolean;
}

/** Everything a pipeline's run creates from its plugins before any data is loaded: one setup for the run and its workers. */
export interface RunSession {
  readonly pipeline: Pipeline;
  readonly container: DependencyContainer;
  readonly ctx: HostContext;
  readonly emit: (e: PipelineEvent) => void;
  readonly signal?: AbortSignal;
  readonly runner: InferenceRunner;
  /** The backend object fine-tunes run on (undefined when only a name was given). */
  readonly backend?: Backend;
  readonly backendName?: string;
  /** Every pruner that proposes (sizing-only ones only when some candidate pruner is sized by them), pipeline order. */
  readonly pruners: readonly SessionPruner[];
  readonly metric: SimilarityMetric;
  /** The candidate and winner fine-tunes (null: `epochs: 0` or not configured). */
  readonly finetune: { readonly candidate: TrainerFactory | null; readonly winner: TrainerFactory | null };
  readonly evaluators: readonly ScheduledEvaluator[];
  /** Core's stop rules and every registered plugin's, in the order they are checked. */
  readonly rules: readonly StopRule[];
  readonly augment?: AugmentFn;
  /** The layer whose features the metric compares, in `model`. */
  similarityLayer(model: tfl.LayersModel): string;
}

/**
 * Create a pipeline's plugins (pruners, similarity metric, fine-tunes, evaluators) from its parsed options, each once
 * and before any data is loaded or model trained, so a bad option fails in seconds. The local loop
 * (`runPipeline`) and a queue worker (`createCandidateScorer`) both start here.
 * @example
 * const session = await createRunSession(pipeline, container, { backend, runner });
 */
export async function createRunSession(pipeline: Pipeline, container: DependencyContainer, options: RunSessionOptions = {}): Promise<RunSession> {
  const emit = options.onEvent ?? (() => {});
  const ctx: HostContext = { log: (message) => emit({ type: 'log', message }), seed: pipeline.seed };
  const backend = typeof options.backend === 'object' ? options.backend : undefined;
  await backend?.activate();
  const create = <T>(kind: 'pruner' | 'criterion' | 'trainer', name: string, parsed: unknown, at: string) =>
    instantiatePlugin<T>(container, kind, name, parsed, ctx, at);
  const created: SessionPruner[] = [];
  for (const [i, p] of pipeline.pruners.entries()) {
    created.push({ name: p.use, pruner: await create<Pruner>('pruner', p.use, p.with, `pruners[${i}].with`), sizingOnly: p.sizingOnly });
  }
  const pruners = keepNeededSizers(created);
  for (const p of pruners) if (p.sizingOnly) ctx.log(`pruner ${p.name} only sizes the candidates of ${sizedByIt(p, pruners).join(', ')}`);
  const metric = await create<SimilarityMetric>('criterion', pipeline.similarity.use, pipeline.similarity.with, 'similarity.with');
  const trainer = async (settings: Record<string, unknown> | undefined, at: string) =>
    settings && (settings.epochs ?? 1) !== 0 ? create<TrainerFactory>('trainer', pipeline.trainer, settings, at) : null;
  const finetune = {
    candidate: await trainer(pipeline.finetune.candidate, 'finetune.candidate'),
    winner: await trainer(pipeline.finetune.winner, 'finetune.winner'),
  };
  const evaluators: ScheduledEvaluator[] = [];
  for (const [i, e] of options.evaluators === false ? [] : pipeline.evaluate.entries()) {
    evaluators.push({
      name: e.use,
      every: e.every,
      evaluator: await instantiatePlugin<Evaluator>(container, 'evaluator', e.use, e.with, ctx, `evaluate[${i}].with`),
    });
  }
  const { layer } = pipeline.similarity;
  return {
    pipeline,
    container,
    ctx,
    emit,
    signal: options.signal,
    runner: options.runner ?? tfjsInferenceRunner,
    backend,
    backendName: typeof options.backend === 'object' ? options.backend.name : options.backend,
    pruners,
    metric,
    finetune,
    evaluators,
    rules: stopRulesOf(container),
    augment: augmentFromSteps(pipeline.data.augment),
    similarityLayer: (model) => (layer === 'penultimate' ? penultimateLayer(model) : layer),
  };
}

/** The sizing-only pruners some candidate pruner is sized by; the others would propose for nothing. */
function keepNeededSizers(all: readonly SessionPruner[]): SessionPruner[] {
  return all.filter((p) => !p.sizingOnly || sizedByIt(p, all).length > 0);
}

/** The candidate pruners `sizer` sizes (their `sizedBy` is its kind). */
function sizedByIt(sizer: SessionPruner, all: readonly SessionPruner[]): string[] {
  return all.filter((c) => !c.sizingOnly && c.pruner.sizedBy === sizer.pruner.kind).map((c) => c.name);
}
