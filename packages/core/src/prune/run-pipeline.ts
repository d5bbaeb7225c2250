import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { resolve } from 'node:path';
import type { DependencyContainer } from 'tsyringe';
import { buildDependencyGraph } from '../graph/dependency-graph.js';
import { annotationsOf } from '../io/model-annotations.js';
import { countCost } from '../metrics/flops.js';
import { classifierOutput } from '../train/classifier-output.js';
import type { TrainEvent } from '../train/types.js';
import { hashSettings } from '../util/hash-settings.js';
import { localCandidates, type CandidateExecutor } from './candidate-executor.js';
import { modelDirOf, recoverFinalModel } from './final-finetune.js';
import { pct } from './html-plot.js';
import { runDirOf, type Pipeline } from './load-pipeline.js';
import { preparePipelineInputs, type PipelineInputs } from './pipeline-inputs.js';
import { runEvaluations } from './run-evaluations.js';
import { runIteration, type RunLoop } from './run-iteration.js';
import { modelStats, type RunReport } from './run-report.js';
import { createRunSession, type RunSession, type RunSessionOptions } from './run-session.js';
import { openRunStore, type ModelExporter, type RunStore } from './run-store.js';
import { similaritySamples } from './similarity-samples.js';
import { checkReachable } from './stop-rules.js';
import { BASELINE_DIR, iterationTeacher } from './teachers.js';

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions extends RunSessionOptions {
  readonly container: DependencyContainer;
  /** Run directory; default: the pipeline's `output`, relative to the pipeline file. */
  readonly outDir?: string;
  /** Where each iteration's candidates are fine-tuned and scored; default here, one after another. */
  readonly candidates?: CandidateExecutor;
  /**
   * Writers of the final model's extra formats, by the `export:` key that asks for them (`onnx` -> `final/model.onnx`);
   * the files written are listed in `report.final.files`.
   */
  readonly exporters?: Readonly<Record<string, ModelExporter>>;
}

/**
 * Run a pruning pipeline: a session of its plugins, then iterations (each pruner proposes, the candidates are fine-tuned
 * and scored against the parent, the most similar kept) until a stop rule ends it, then the final recovery, the final
 * evaluations and the final model in every requested format. Resumes from the last finished iteration when `outDir`
 * holds a run of the same pipeline.
 * @example
 * const report = await runPipeline(await loadPipeline('examples/quickstart.yaml', c), { container: c });
 */
export async function runPipeline(pipeline: Pipeline, options: RunPipelineOptions): Promise<RunReport> {
  const outDir = runDirOf(pipeline, options.outDir);
  const log = (message: string) => options.onEvent?.({ type: 'log', message });
  const store = await openRunStore(outDir, hashSettings(resultShaping(pipeline)), { container: options.container, log });
  const session = await createRunSession(pipeline, options.container, options);
  const onBaseTraining = (event: TrainEvent) => session.emit({ type: 'train', phase: 'base', event });
  const inputs = await preparePipelineInputs(pipeline, options.container, outDir, session.ctx, onBaseTraining);
  const loop = openLoop(session, store, inputs, options.candidates ?? localCandidates);
  let { report, parent } = await startRun(session, store, inputs);
  const base = await iterationTeacher(pipeline, outDir);
  try {
    report = await evaluateBase(loop, store, report, parent);
    const withTeacher = { ...loop, base };
    while (!report.stopReason) {
      session.signal?.throwIfAborted();
      ({ report, parent } = await runIteration(withTeacher, parent, report));
      await store.record(report);
    }
  } catch (e) {
    await loop.evaluations.dispose();
    throw e;
  } finally {
    parent.dispose();
    base?.dispose();
  }
  return finishRun(loop, report, options.exporters ?? {});
}

/** The iterations' shared parts: data, similarity samples, evaluations and the fine-tunes the evaluators watch. */
function openLoop(session: RunSession, store: RunStore, inputs: PipelineInputs, candidates: CandidateExecutor): RunLoop {
  const { pipeline } = session;
  const evaluations = runEvaluations(
    {
      evaluators: session.evaluators,
      test: inputs.data.test,
      normalization: inputs.data.normalization,
      pixelRange: (pipeline.data.dataset as { scale?: boolean }).scale === false ? [0, 255] : [0, 1],
      runner: session.runner,
      seed: pipeline.seed,
      signal: session.signal,
      log: session.ctx.log,
      onEvaluated: (phase, iteration, results) => session.emit({ type: 'evaluated', phase, iteration, results }),
    },
    resolve(store.dir, BASELINE_DIR),
  );
  const finetune = { candidate: evaluations.watch(session.finetune.candidate, 'candidate'), winner: evaluations.watch(session.finetune.winner, 'winner') };
  return { session, store, data: inputs.data, samples: similaritySamples(pipeline, inputs.data), evaluations, candidates, finetune };
}

/** The report and parent to go on from: the resumed run's, or a new report of the base model (saved as iteration 0). */
async function startRun(session: RunSession, store: RunStore, inputs: PipelineInputs): Promise<{ report: RunReport; parent: tfl.LayersModel }> {
  const state = store.resumed;
  if (state) {
    session.emit({ type: 'resumed', completed: state.completed });
    if (state.completed === 0) return { report: state.report, parent: inputs.model };
    inputs.model.dispose();
    return { report: state.report, parent: await store.load(state.report.iterations[state.completed - 1].modelDir) };
  }
  const parent = inputs.model;
  const baseline = await modelStats(parent, inputs.data.test, session.runner);
  const candidates = session.pruners.filter((p) => !p.sizingOnly);
  const report: RunReport = {
    name: session.pipeline.name,
    seed: session.pipeline.seed,
    backend: session.backendName ?? tf.getBackend(),
    runner: session.runner.name,
    similarity: session.pipeline.similarity.use,
    pruners: candidates.map((p) => p.name),
    model: { format: annotationsOf(parent).origin?.format ?? 'tfjs-layers', classifier: classifierOutput(parent).reason, notes: inputs.notes },
    baseline,
    iterations: [],
  };
  session.emit({ type: 'baseline', stats: baseline });
  await store.saveIteration(parent, 0, inputs.data.normalization);
  const kinds = candidates.map((p) => p.pruner.kind);
  checkReachable(session.rules, { stop: session.pipeline.stop, kinds, model: parent, graph: buildDependencyGraph(parent), cost: countCost(parent), baseline });
  await store.record(report);
  return { report, parent };
}

/** Evaluate the base model once, before any pruning (or on the resume after evaluators were added). */
async function evaluateBase(loop: RunLoop, store: RunStore, report: RunReport, parent: tfl.LayersModel): Promise<RunReport> {
  if (!loop.evaluations.active || report.baselineEvaluations) return report;
  const base = report.iterations.length > 0 ? await store.load(BASELINE_DIR) : parent;
  try {
    const evaluated = { ...report, baselineEvaluations: await loop.evaluations.baseline(base) };
    await store.record(evaluated);
    return evaluated;
  } finally {
    if (base !== parent) base.dispose();
  }
}

/** After the loop: the final recovery, the final model's evaluations, the final model in every format; the finished report. */
async function finishRun(loop: RunLoop, stopped: RunReport, exporters: Readonly<Record<string, ModelExporter>>): Promise<RunReport> {
  const { session, store } = loop;
  let report = stopped;
  const final = report.final!;
  let model = await store.load(modelDirOf(report, final.iteration));
  try {
    const recovery = { pipeline: session.pipeline, container: session.container, outDir: store.dir, normalization: loop.data.normalization };
    const onTrainEvent = (event: TrainEvent) => session.emit({ type: 'train', phase: 'final', event });
    const run = {
      ...recovery,
      backend: session.backend,
      runner: session.runner,
      signal: session.signal,
      ctx: session.ctx,
      onTrainEvent,
      augment: session.augment,
    };
    ({ report, model } = await recoverFinalModel(report, model, run));
    if (report.recovery) {
      session.ctx.log(`final recovery: accuracy ${pct(report.recovery.before.accuracy)} -> ${pct(report.recovery.after.accuracy)}`);
      await store.record(report);
    }
    if (loop.evaluations.active) {
      const done = report.recovery || final.iteration === 0 ? undefined : report.iterations[final.iteration - 1].evaluations;
      report = { ...report, final: { ...final, evaluations: await loop.evaluations.final(model, final.iteration, report.baselineEvaluations ?? {}, done) } };
    }
    const wanted = Object.fromEntries(Object.entries(exporters).filter(([format]) => (session.pipeline.export as Record<string, boolean>)[format]));
    const files = await store.saveFinal(model, final.iteration, loop.data.normalization, wanted);
    report = { ...report, final: { ...report.final!, files } };
  } finally {
    model.dispose();
    await loop.evaluations.dispose();
  }
  await store.record(report);
  session.emit({ type: 'done', report });
  return report;
}

/**
 * The settings that shape a run's results, by inclusion: a resumed run must have the same. Stop targets, the output
 * folder, extra export formats and the inference runner do not change what an iteration computes.
 */
function resultShaping(p: Pipeline): unknown {
  const { seed, backend, plugins, model, data, similarity, trainer } = p;
  // the final recovery (`finetune.final`) runs after the loop and is checked on its own: adding or changing it keeps
  // the iterations
  const finetune = { candidate: p.finetune.candidate, winner: p.finetune.winner };
  // `sizingOnly: false` is the default and leaves the hash of runs started before the option existed unchanged
  const pruners = p.pruners.map(({ sizingOnly, ...rest }) => (sizingOnly ? { ...rest, sizingOnly } : rest));
  // the short forms of `ties` (one kind, or `first`) hash as they did before the ordered list existed
  const ties = p.ties.length === 0 ? 'first' : p.ties.length === 1 ? p.ties[0] : p.ties;
  return { seed, backend, plugins, model, data, pruners, similarity, ties, trainer, finetune };
}
