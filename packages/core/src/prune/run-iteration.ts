import type * as tfl from '@tensorflow/tfjs-layers';
import type { StopDecision } from '@omniprune/plugin-api';
import type { PreparedData } from '../data/prepare-data.js';
import type { ImageDataset } from '../data/types.js';
import { buildDependencyGraph, type DependencyGraph } from '../graph/dependency-graph.js';
import { deriveSeed } from '../train/batches.js';
import type { TrainerFactory } from '../train/sgd-trainer-plugin.js';
import { trainedImages, type TrainEvent } from '../train/types.js';
import { createRng } from '../util/rng.js';
import { chooseCandidate, evaluateCandidate } from './candidate-evaluation.js';
import type { CandidateExecutor, EvaluatedCandidate } from './candidate-executor.js';
import type { Features } from './capture.js';
import type { PruneCandidate } from './pruner-types.js';
import type { RunEvaluations } from './run-evaluations.js';
import { modelStats, reduction, type CandidateRecord, type IterationRecord, type RunReport } from './run-report.js';
import type { RunSession } from './run-session.js';
import type { RunStore } from './run-store.js';
import { stopAfterIteration, stopAfterProposals } from './stop-rules.js';

/** What every iteration of a run shares: the session, the run folder, the data and the watched fine-tunes. */
export interface RunLoop {
  readonly session: RunSession;
  readonly store: RunStore;
  readonly data: PreparedData;
  /** The images the similarity is measured on. */
  readonly samples: ImageDataset;
  readonly evaluations: RunEvaluations;
  readonly candidates: CandidateExecutor;
  /** The fine-tunes, wrapped so the evaluators watching training see them. */
  readonly finetune: { readonly candidate: TrainerFactory | null; readonly winner: TrainerFactory | null };
  /** The base model, when a fine-tune distils from it. */
  readonly base?: tfl.LayersModel;
}

/** The proposals of one iteration: every pruner's, and those that become candidates (not sizing-only). */
interface Proposals {
  readonly all: readonly PruneCandidate[];
  readonly candidates: readonly PruneCandidate[];
}

/**
 * Ask every pruner for a proposal. Pruners sized by another kind's candidate (`sizedBy`) are asked after the others,
 * whatever the pipeline's order; candidates are listed in pipeline order.
 */
async function propose(loop: RunLoop, parent: tfl.LayersModel, graph: DependencyGraph, iteration: number): Promise<Proposals> {
  const { session } = loop;
  const pruners = session.pruners;
  const earlier: PruneCandidate[] = [];
  const byPruner = new Map<number, PruneCandidate>();
  const askOrder = [...pruners.keys()].sort((a, b) => Number(!!pruners[a].pruner.sizedBy) - Number(!!pruners[b].pruner.sizedBy) || a - b);
  for (const k of askOrder) {
    const rng = createRng(deriveSeed(session.pipeline.seed, iteration, k));
    const ctx = { parent, graph, iteration, rng, train: loop.data.train, earlier: [...earlier], runner: session.runner, log: session.ctx.log };
    const proposal = await pruners[k].pruner.propose(ctx);
    if (proposal) earlier.push(proposal), byPruner.set(k, proposal);
  }
  const candidates = [...pruners.keys()].flatMap((k) => (byPruner.has(k) && !pruners[k].sizingOnly ? [byPruner.get(k)!] : []));
  return { all: earlier, candidates };
}

/** Build, fine-tune and score every candidate against the parent's features (here or on the run's executor). */
function scoreCandidates(loop: RunLoop, parent: tfl.LayersModel, iteration: number, candidates: readonly PruneCandidate[], parentFeatures: Features) {
  const { session, data } = loop;
  const tasks = candidates.map((candidate, k) => ({
    iteration,
    index: k,
    candidate,
    seed: deriveSeed(session.pipeline.seed, iteration, 100 + k),
    normalization: data.normalization,
  }));
  const scoring = {
    parentFeatures,
    layer: session.similarityLayer(parent),
    samples: loop.samples,
    metric: session.metric,
    train: data.train,
    finetune: loop.finetune.candidate,
    base: loop.base,
    augment: session.augment,
    backend: session.backend,
    signal: session.signal,
    runner: session.runner,
    onTrainEvent: (event: TrainEvent) => session.emit({ type: 'train', phase: 'candidate', event }),
  };
  return loop.candidates.evaluate(parent, tasks, (task) => evaluateCandidate(parent, task.candidate, { ...scoring, seed: task.seed }));
}

/** Fine-tune the kept candidate; the number of images it trained on. */
async function trainWinner(loop: RunLoop, winner: tfl.LayersModel, parent: tfl.LayersModel, iteration: number): Promise<number> {
  const { session } = loop;
  if (!loop.finetune.winner) return 0;
  const trainer = loop.finetune.winner({
    seed: deriveSeed(session.pipeline.seed, iteration, 200),
    augment: session.augment,
    backend: session.backend,
    teachers: { base: loop.base, parent },
  });
  const fit = await trainer.fit(winner, loop.data.train, {
    signal: session.signal,
    onEvent: (event) => session.emit({ type: 'train', phase: 'winner', event }),
  });
  return trainedImages(fit);
}

/** Choose among the scored candidates and fine-tune the winner; the losers (every candidate on a failure) are freed. */
async function keepWinner(loop: RunLoop, parent: tfl.LayersModel, iteration: number, evaluated: readonly EvaluatedCandidate[]) {
  const models = evaluated.map((e) => e.model);
  const records = evaluated.map((e) => e.record);
  let kept: tfl.LayersModel | undefined;
  try {
    for (const record of records) loop.session.emit({ type: 'candidate-scored', iteration, record });
    const chosen = chooseCandidate(records, loop.session.pipeline.ties);
    loop.session.emit({ type: 'chosen', iteration, record: records[chosen] });
    const winnerImages = await trainWinner(loop, models[chosen], parent, iteration);
    kept = models[chosen];
    return { winner: kept, chosen, records, winnerImages };
  } finally {
    for (const m of models) if (m !== kept) m.dispose();
  }
}

/** The report's record of an iteration whose winner is saved in `modelDir`. */
async function iterationRecord(loop: RunLoop, report: RunReport, iteration: number, kept: Awaited<ReturnType<typeof keepWinner>>, started: number) {
  const { winner, chosen, records, winnerImages } = kept;
  const stats = await modelStats(winner, loop.data.test, loop.session.runner);
  const modelDir = await loop.store.saveIteration(winner, iteration, loop.data.normalization);
  const evaluations = await loop.evaluations.iteration(winner, iteration, report.baselineEvaluations ?? {});
  const record: IterationRecord = {
    iteration,
    candidates: records,
    chosen,
    chosenKind: records[chosen].kind,
    stats,
    flopsReduction: reduction(report.baseline.flops, stats.flops),
    paramsReduction: reduction(report.baseline.params, stats.params),
    accuracyChange: stats.accuracy - report.baseline.accuracy,
    seconds: (Date.now() - started) / 1000,
    trainedImages: winnerImages + records.reduce((sum: number, r: CandidateRecord) => sum + (r.trainedImages ?? 0), 0),
    modelDir,
    ...(evaluations ? { evaluations } : {}),
  };
  return record;
}

/**
 * One iteration of the method: every pruner proposes from `parent`, the candidates are fine-tuned and scored against
 * it, the most similar is kept, fine-tuned, evaluated and saved, and the stop rules are asked. Returns the report with
 * the iteration (and the stop, if one applies) and the new parent (`parent` itself when the run stopped before
 * building candidates); the old parent is disposed when replaced.
 * @example
 * ({ report, parent } = await runIteration(loop, parent, report));
 */
export async function runIteration(loop: RunLoop, parent: tfl.LayersModel, report: RunReport): Promise<{ report: RunReport; parent: tfl.LayersModel }> {
  const { session } = loop;
  const iteration = report.iterations.length + 1;
  const started = Date.now();
  session.emit({ type: 'iteration-start', iteration });
  const parentFeatures = await session.runner.capture(parent, session.similarityLayer(parent), loop.samples);
  const proposals = await propose(loop, parent, buildDependencyGraph(parent), iteration);
  const stop = session.pipeline.stop;
  const kinds = session.pruners.map((p) => p.pruner.kind);
  const early = stopAfterProposals(session.rules, { stop, kinds, proposals: proposals.all, candidates: proposals.candidates });
  if (early) return { report: finish(report, early), parent };
  const kept = await keepWinner(loop, parent, iteration, await scoreCandidates(loop, parent, iteration, proposals.candidates, parentFeatures));
  const record = await iterationRecord(loop, report, iteration, kept, started).catch((e) => {
    kept.winner.dispose();
    throw e;
  });
  const next = { ...report, iterations: [...report.iterations, record] };
  session.emit({ type: 'iteration-end', iteration, stats: record.stats, flopsReduction: record.flopsReduction, paramsReduction: record.paramsReduction });
  parent.dispose();
  const graph = buildDependencyGraph(kept.winner);
  const ctx = { stop, model: kept.winner, graph, iteration, stats: record.stats, baseline: report.baseline, evaluations: record.evaluations };
  const decision = stopAfterIteration(session.rules, ctx);
  return { report: decision ? finish(next, decision) : next, parent: kept.winner };
}

/** The report of a run that stops: the final model is the last iteration's, or the previous one's below the accuracy floor. */
export function finish(report: RunReport, { reason, message }: StopDecision): RunReport {
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
