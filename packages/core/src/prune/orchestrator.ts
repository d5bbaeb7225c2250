import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { join, relative, resolve } from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import { buildDependencyGraph } from '../graph/dependency-graph.js';
import { annotationsOf } from '../io/model-annotations.js';
import { loadModel, saveModel } from '../io/model-io.js';
import { writeInOriginFormat } from '../io/read-model.js';
import { classifierOutput } from '../train/classifier-output.js';
import { createPlugin } from '../plugin/create-plugin.js';
import { deriveSeed } from '../train/batches.js';
import type { TrainerFactory } from '../train/sgd-trainer-plugin.js';
import { trainedImages, type TrainEvent } from '../train/types.js';
import type { Backend } from '../backend/backend-types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { createRng } from '../util/rng.js';
import { createEvaluators, type Evaluations } from '../evaluate/run-evaluators.js';
import type { EvaluationPhase } from '../evaluate/evaluator-types.js';
import { chooseCandidate, evaluateCandidate } from './candidate-evaluation.js';
import { localCandidates, type CandidateExecutor } from './candidate-executor.js';
import { runEvaluations } from './run-evaluations.js';
import { penultimateLayer } from './capture.js';
import { similaritySamples } from './similarity-samples.js';
import { tfjsInferenceRunner, type InferenceRunner } from './inference-runner.js';
import type { SimilarityMetric } from './criterion-types.js';
import type { Pipeline } from './load-pipeline.js';
import { preparePipelineInputs } from './pipeline-inputs.js';
import type { Pruner, PruneCandidate } from './pruner-types.js';
import { renderReportHtml } from './report-html.js';
import { pct } from './html-plot.js';
import { modelStats, reduction, type CandidateRecord, type ModelStats, type RunReport, type StopReason } from './run-report.js';
import { readRunState, writeRunState } from './run-state.js';
import { hashSettings } from '../util/hash-settings.js';
import { checkStop, checkTargetsReachable } from './stop-rules.js';
import { BASELINE_DIR, iterationTeacher } from './teachers.js';
import { modelDirOf, recoverFinalModel } from './final-finetune.js';

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

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions {
  readonly container: DependencyContainer;
  /** Run directory; default: the pipeline's `output`, relative to the pipeline file. */
  readonly outDir?: string;
  /**
   * The compute backend (from `initBackend`): activated before the run computes and handed to every fine-tune; its
   * name is recorded in the report. A plain name is only recorded. Default: whatever TF.js has active.
   */
  readonly backend?: Backend | string;
  readonly onEvent?: (e: PipelineEvent) => void;
  readonly signal?: AbortSignal;
  /** Where activation capture and evaluation run; default TF.js ({@link tfjsInferenceRunner}). */
  readonly runner?: InferenceRunner;
  /** Where each iteration's candidates are fine-tuned and scored; default here, one after another. */
  readonly candidates?: CandidateExecutor;
}

async function writeReport(dir: string, report: RunReport): Promise<void> {
  await writeFileAtomic(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(join(dir, 'report.html'), renderReportHtml(report));
}

/**
 * Run a pruning pipeline: every iteration asks each pruner for a candidate, fine-tunes and scores them against
 * the parent with the similarity metric, keeps the best, fine-tunes it, evaluates and saves it. Resumes from the
 * last finished iteration when `outDir` holds a run of the same pipeline.
 * @example
 * const report = await runPipeline(await loadPipeline('examples/quickstart.yaml', c), { container: c });
 */
export async function runPipeline(pipeline: Pipeline, options: RunPipelineOptions): Promise<RunReport> {
  const { container, onEvent = () => {}, signal, runner = tfjsInferenceRunner, candidates = localCandidates } = options;
  const backend = typeof options.backend === 'object' ? options.backend : undefined;
  const backendName = typeof options.backend === 'object' ? options.backend.name : options.backend;
  await backend?.activate();
  const outDir = resolve(options.outDir ?? resolve(pipeline.baseDir, pipeline.output));
  const log = (message: string) => onEvent({ type: 'log', message });
  const ctx = { log, seed: pipeline.seed };
  const pipelineHash = hashSettings(resultShaping(pipeline));
  const state = await readRunState(outDir, pipelineHash);

  // every plugin is created (and its options checked) before any data is loaded or a base model trained
  const created: { name: string; pruner: Pruner; sizingOnly: boolean }[] = [];
  for (const [i, p] of pipeline.pruners.entries()) {
    const pruner = await createPlugin<Pruner>(container, 'pruner', p.use, p.with, ctx, `pruners[${i}].with`);
    created.push({ name: p.use, pruner, sizingOnly: p.sizingOnly ?? false });
  }
  const pruners = keepNeededSizers(created);
  const candidatePruners = pruners.filter((p) => !p.sizingOnly);
  for (const p of pruners) if (p.sizingOnly) log(`pruner ${p.name} only sizes the candidates of ${sizedByIt(p, candidatePruners).join(', ')}`);
  const metric = await createPlugin<SimilarityMetric>(container, 'criterion', pipeline.similarity.use, pipeline.similarity.with, ctx, 'similarity.with');
  const trainerFor = async (settings: Record<string, unknown> | undefined, at: string): Promise<TrainerFactory | null> =>
    settings && (settings.epochs ?? 1) !== 0 ? createPlugin<TrainerFactory>(container, 'trainer', pipeline.trainer, settings, ctx, at) : null;
  const evaluators = await createEvaluators(container, pipeline.evaluate, ctx);

  const inputs = await preparePipelineInputs(pipeline, container, outDir, ctx, (event) => onEvent({ type: 'train', phase: 'base', event }));
  const { data, augment } = inputs;
  const evaluations = runEvaluations(
    {
      evaluators,
      test: data.test,
      normalization: data.normalization,
      pixelRange: (pipeline.data.dataset as { scale?: boolean }).scale === false ? [0, 255] : [0, 1],
      runner,
      seed: pipeline.seed,
      signal,
      log,
      onEvaluated: (phase, iteration, results) => onEvent({ type: 'evaluated', phase, iteration, results }),
    },
    join(outDir, BASELINE_DIR),
  );
  const candidateFinetune = evaluations.watch(await trainerFor(pipeline.finetune.candidate, 'finetune.candidate'), 'candidate');
  const winnerFinetune = evaluations.watch(await trainerFor(pipeline.finetune.winner, 'finetune.winner'), 'winner');

  const samples = similaritySamples(pipeline, data);

  let parent = inputs.model;
  const layer = pipeline.similarity.layer === 'penultimate' ? penultimateLayer(parent) : pipeline.similarity.layer;
  let report: RunReport;
  if (state) {
    report = state.report;
    onEvent({ type: 'resumed', completed: state.completed });
    if (state.completed > 0) {
      parent.dispose();
      parent = await loadModel(join(outDir, report.iterations[state.completed - 1].modelDir));
    }
  } else {
    const baseline = await modelStats(parent, data.test, runner);
    const model = { format: annotationsOf(parent).origin?.format ?? 'tfjs-layers', classifier: classifierOutput(parent).reason, notes: inputs.notes };
    report = {
      name: pipeline.name,
      seed: pipeline.seed,
      backend: backendName ?? tf.getBackend(),
      runner: runner.name,
      similarity: pipeline.similarity.use,
      pruners: candidatePruners.map((p) => p.name),
      model,
      baseline,
      iterations: [],
    };
    onEvent({ type: 'baseline', stats: baseline });
    await saveModel(parent, join(outDir, BASELINE_DIR), { omniprune: { normalization: data.normalization, iteration: 0 } });
    checkTargetsReachable(
      pipeline.stop,
      baseline,
      buildDependencyGraph(parent),
      candidatePruners.map((p) => p.pruner.kind),
      parent,
    );
    await writeReport(outDir, report);
    await writeRunState(outDir, { version: 1, pipelineHash, completed: 0, report });
  }

  const base = await iterationTeacher(pipeline, outDir);
  try {
    if (evaluations.active && !report.baselineEvaluations) {
      // the base model is evaluated once, before any pruning (or on the resume after evaluators were added)
      const base = state && state.completed > 0 ? await loadModel(join(outDir, BASELINE_DIR)) : parent;
      try {
        report = { ...report, baselineEvaluations: await evaluations.baseline(base) };
      } finally {
        if (base !== parent) base.dispose();
      }
      await writeReport(outDir, report);
      await writeRunState(outDir, { version: 1, pipelineHash, completed: report.iterations.length, report });
    }
    for (let iteration = report.iterations.length + 1; !report.stopReason; iteration++) {
      signal?.throwIfAborted();
      const started = Date.now();
      onEvent({ type: 'iteration-start', iteration });
      const graph = buildDependencyGraph(parent);
      const parentFeatures = await runner.capture(parent, layer, samples);
      // pruners that size their candidate by another kind's (`sizedBy`) are asked after the others, whatever the
      // pipeline's order; candidates are then listed in pipeline order
      const earlier: PruneCandidate[] = [];
      const byPruner = new Map<number, PruneCandidate>();
      const askOrder = [...pruners.keys()].sort((a, b) => Number(!!pruners[a].pruner.sizedBy) - Number(!!pruners[b].pruner.sizedBy) || a - b);
      for (const k of askOrder) {
        const proposeCtx = {
          parent,
          graph,
          iteration,
          rng: createRng(deriveSeed(pipeline.seed, iteration, k)),
          train: data.train,
          earlier: [...earlier],
          runner,
          log,
        };
        const proposal = await pruners[k].pruner.propose(proposeCtx);
        if (proposal) earlier.push(proposal), byPruner.set(k, proposal);
      }
      const proposals = [...pruners.keys()].flatMap((k) => (byPruner.has(k) && !pruners[k].sizingOnly ? [byPruner.get(k)!] : []));
      let stopNow: { reason: StopReason; message: string } | null =
        proposals.length === 0 ? { reason: 'nothing-to-prune', message: 'no pruner found anything left to remove' } : null;
      if (
        !stopNow &&
        pipeline.stop.whenNoLayerCandidate === 'stop' &&
        pruners.some((p) => p.pruner.kind === 'layer') &&
        !earlier.some((p) => p.kind === 'layer')
      ) {
        stopNow = { reason: 'no-layer-candidate', message: 'the layer pruner found no block left to remove (stop.whenNoLayerCandidate: stop)' };
      }
      if (!stopNow) {
        const records: CandidateRecord[] = [];
        const models: tfl.LayersModel[] = [];
        let winner: tfl.LayersModel | undefined;
        let scored = false;
        let winnerImages = 0;
        try {
          const tasks = proposals.map((candidate, k) => ({
            iteration,
            index: k,
            candidate,
            seed: deriveSeed(pipeline.seed, iteration, 100 + k),
            normalization: data.normalization,
          }));
          const evaluated = await candidates.evaluate(parent, tasks, (task) =>
            evaluateCandidate(parent, task.candidate, {
              parentFeatures,
              layer,
              samples,
              metric,
              train: data.train,
              finetune: candidateFinetune,
              base,
              augment,
              backend,
              seed: task.seed,
              signal,
              runner,
              onTrainEvent: (event) => onEvent({ type: 'train', phase: 'candidate', event }),
            }),
          );
          for (const { model, record } of evaluated) {
            records.push(record);
            models.push(model);
            onEvent({ type: 'candidate-scored', iteration, record });
          }
          const chosen = chooseCandidate(records, pipeline.ties);
          onEvent({ type: 'chosen', iteration, record: records[chosen] });
          winner = models[chosen];
          if (winnerFinetune) {
            const teachers = { base, parent };
            winnerImages = trainedImages(
              await winnerFinetune({ seed: deriveSeed(pipeline.seed, iteration, 200), augment, backend, teachers }).fit(winner, data.train, {
                signal,
                onEvent: (event) => onEvent({ type: 'train', phase: 'winner', event }),
              }),
            );
          }
          scored = true;
        } finally {
          // the candidates that lost, and every candidate when the iteration failed, are freed here
          for (const m of models) if (!scored || m !== winner) m.dispose();
        }
        const chosen = models.indexOf(winner!);
        const stats = await modelStats(winner!, data.test, runner);
        const modelDir = `iterations/${String(iteration).padStart(3, '0')}`;
        await saveModel(winner!, join(outDir, modelDir), { omniprune: { normalization: data.normalization, iteration } });
        const evaluated = await evaluations.iteration(winner!, iteration, report.baselineEvaluations ?? {});
        const flopsReduction = reduction(report.baseline.flops, stats.flops);
        const paramsReduction = reduction(report.baseline.params, stats.params);
        report = {
          ...report,
          iterations: [
            ...report.iterations,
            {
              iteration,
              candidates: records,
              chosen,
              chosenKind: records[chosen].kind,
              stats,
              flopsReduction,
              paramsReduction,
              accuracyChange: stats.accuracy - report.baseline.accuracy,
              seconds: (Date.now() - started) / 1000,
              trainedImages: winnerImages + records.reduce((sum, r) => sum + (r.trainedImages ?? 0), 0),
              modelDir,
              ...(evaluated ? { evaluations: evaluated } : {}),
            },
          ],
        };
        onEvent({ type: 'iteration-end', iteration, stats, flopsReduction, paramsReduction });
        parent.dispose();
        parent = winner!;
        stopNow = checkStop(pipeline.stop, report, pipeline.stop.minBlocksPerStage === undefined ? undefined : buildDependencyGraph(parent));
      }
      if (stopNow) report = finish(report, stopNow.reason, stopNow.message);
      await writeReport(outDir, report);
      await writeRunState(outDir, { version: 1, pipelineHash, completed: report.iterations.length, report });
      if (stopNow) break;
    }
  } catch (e) {
    await evaluations.dispose();
    throw e;
  } finally {
    parent.dispose();
    base?.dispose();
  }
  const final = report.final!;
  let finalModel = await loadModel(join(outDir, modelDirOf(report, final.iteration)));
  try {
    const recoveryContext = { pipeline, container, outDir, normalization: data.normalization, backend, runner, signal, ctx };
    const onTrainEvent = (event: TrainEvent) => onEvent({ type: 'train', phase: 'final', event });
    ({ report, model: finalModel } = await recoverFinalModel(report, finalModel, { ...recoveryContext, onTrainEvent }));
    if (report.recovery) {
      onEvent({ type: 'log', message: `final recovery: accuracy ${pct(report.recovery.before.accuracy)} -> ${pct(report.recovery.after.accuracy)}` });
      await writeReport(outDir, report);
      await writeRunState(outDir, { version: 1, pipelineHash, completed: report.iterations.length, report });
    }
    if (evaluations.active) {
      const baseline = report.baselineEvaluations ?? {};
      const done = report.recovery || final.iteration === 0 ? undefined : report.iterations[final.iteration - 1].evaluations;
      report = { ...report, final: { ...final, evaluations: await evaluations.final(finalModel, final.iteration, baseline, done) } };
    }
  } finally {
    await evaluations.dispose();
  }
  await saveModel(finalModel, join(outDir, 'final'), { omniprune: { normalization: data.normalization, iteration: final.iteration } });
  const files = ['final/model.json'];
  const origin = annotationsOf(finalModel).origin;
  const native = origin ? await writeInOriginFormat(finalModel, origin, join(outDir, 'final'), container) : null;
  if (native) {
    files.push(relative(outDir, native));
    log(`wrote the final model as ${origin!.format} too (${relative(outDir, native)}), with the original's interface`);
  }
  finalModel.dispose();
  report = { ...report, final: { ...report.final!, files } };
  await writeReport(outDir, report);
  onEvent({ type: 'done', report });
  return report;
}

/** The sizing-only pruners some candidate pruner is sized by; the others would propose for nothing. */
function keepNeededSizers<P extends { name: string; pruner: Pruner; sizingOnly: boolean }>(all: readonly P[]): P[] {
  const candidates = all.filter((p) => !p.sizingOnly);
  return all.filter((p) => !p.sizingOnly || sizedByIt(p, candidates).length > 0);
}

function sizedByIt(sizer: { pruner: Pruner }, candidates: readonly { name: string; pruner: Pruner }[]): string[] {
  return candidates.filter((c) => c.pruner.sizedBy === sizer.pruner.kind).map((c) => c.name);
}

/**
 * The settings that shape a run's results, by inclusion: a resumed run must have the same. Stop targets, the output
 * folder, extra export formats and the inference runner do not change what an iteration computes.
 */
function resultShaping(p: Pipeline): unknown {
  const { seed, backend, plugins, model, data, similarity, ties, trainer } = p;
  // the final recovery (`finetune.final`) runs after the loop and is checked on its own: adding or changing it keeps
  // the iterations
  const finetune = { candidate: p.finetune.candidate, winner: p.finetune.winner };
  // `sizingOnly: false` is the default and leaves the hash of runs started before the option existed unchanged
  const pruners = p.pruners.map(({ sizingOnly, ...rest }) => (sizingOnly ? { ...rest, sizingOnly } : rest));
  return { seed, backend, plugins, model, data, pruners, similarity, ties, trainer, finetune };
}

/** The final model: the last iteration, or the last one meeting the accuracy floor. */
function finish(report: RunReport, reason: StopReason, message: string): RunReport {
  const its = report.iterations;
  const pick = reason === 'accuracy-floor' ? its.length - 1 : its.length;
  const stats = pick === 0 ? report.baseline : its[pick - 1].stats;
  return {
    ...report,
    stopReason: reason,
    stopMessage: message,
    final: {
      iteration: pick,
      stats,
      flopsReduction: reduction(report.baseline.flops, stats.flops),
      paramsReduction: reduction(report.baseline.params, stats.params),
      accuracyChange: stats.accuracy - report.baseline.accuracy,
    },
  };
}
