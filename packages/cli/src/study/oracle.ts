import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createPlugin,
  createRunSession,
  OmnipruneError,
  writeFileAtomic,
  type Backend,
  type Pipeline,
  type PipelineEvent,
  type PluginContainer,
} from '@omniprune/core';
import { applyPlans, buildDependencyGraph } from '@omniprune/core/graph';
import { countCost } from '@omniprune/core/metrics';
import { preparePipelineInputs, similarityOf, similaritySamples, type Features, type InferenceRunner } from '@omniprune/core/prune';
import { deriveSeed } from '@omniprune/core/train';
import { createRng } from '@omniprune/core/util';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { BlockImportance, ImageDataset, SimilarityMetric } from '@omniprune/plugin-api';
import type { StudySpec } from './study-spec.js';
import { studyPool, type PoolEntry } from './study-pool.js';

/** A metric of the bench as the study creates it: its label (`rbf-cka(threshold=2)`), plugin and options. */
export interface StudyMetric {
  readonly label: string;
  readonly use: string;
  readonly with?: unknown;
}

/** The ground truth of one candidate and what every metric said of it, before and after its fine-tune. */
export interface CandidateOutcome {
  readonly index: number;
  readonly kind: string;
  readonly summary: string;
  readonly block?: string;
  readonly flops: number;
  /** Test accuracy right after removal, and after the pipeline's candidate fine-tune. */
  readonly accuracyBefore: number;
  readonly accuracyAfter: number;
  /** Similarity to the parent per metric label, on the pipeline's similarity samples and layer. */
  readonly scoresBefore: Readonly<Record<string, number>>;
  readonly scoresAfter: Readonly<Record<string, number>>;
  readonly seconds: number;
}

/** The study of one seed: every candidate's outcome, and each block criterion's importance per block. */
export interface SeedStudy {
  readonly seed: number;
  readonly outcomes: readonly CandidateOutcome[];
  readonly blockImportance: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

async function readJson<T>(file: string): Promise<T | undefined> {
  const text = await readFile(file, 'utf8').catch(() => null);
  return text === null ? undefined : (JSON.parse(text) as T);
}

/** Every metric's similarity between the parent's features and `features`, by label. */
function scoresOf(metrics: readonly { label: string; metric: SimilarityMetric }[], parent: Features, features: Features): Record<string, number> {
  return Object.fromEntries(metrics.map(({ label, metric }) => [label, similarityOf(metric, parent, features)]));
}

/** Check that a resumed study's folder holds the same pool (the pool depends on the pipeline, the model and the seed). */
async function checkPool(dir: string, pool: readonly PoolEntry[]): Promise<void> {
  const summaries = pool.map((p) => p.candidate.summary);
  const earlier = await readJson<string[]>(join(dir, 'pool.json'));
  if (earlier && JSON.stringify(earlier) !== JSON.stringify(summaries)) {
    throw new OmnipruneError('E_BAD_INPUT', `${dir} holds the study of another pool (the pipeline, model or study settings changed)`, {
      hint: 'delete that folder, or give the bench another output',
    });
  }
  await writeFileAtomic(join(dir, 'pool.json'), `${JSON.stringify(summaries, null, 2)}\n`);
}

/**
 * The oracle of one seed in `dir` (resumable: each candidate's outcome is written atomically once, and a rerun skips
 * the candidates already done, so each is fine-tuned exactly once): the pipeline's base model, its pool
 * ({@link studyPool}), every candidate fine-tuned with the pipeline's candidate fine-tune (seeded per candidate) and
 * measured on the test split, every metric's similarity to the parent before and after, and each block criterion's
 * importance of the layer candidates' blocks.
 * @example
 * const seedStudy = await runOracle({ pipeline, container, dir: 'runs/study/seed-1', metrics, study, log });
 */
export async function runOracle(o: {
  pipeline: Pipeline;
  container: PluginContainer;
  dir: string;
  metrics: readonly StudyMetric[];
  study: StudySpec;
  log: (line: string) => void;
  /** The compute backend and inference runner (as `run` starts them). */
  backend?: Backend;
  runner?: InferenceRunner;
}): Promise<SeedStudy> {
  const { pipeline, container, dir, log } = o;
  await mkdir(join(dir, 'candidates'), { recursive: true });
  const onEvent = (e: PipelineEvent) => (e.type === 'log' ? log(e.message) : undefined);
  const session = await createRunSession(pipeline, container, { evaluators: false, onEvent, backend: o.backend, runner: o.runner });
  const host = { log, seed: pipeline.seed };
  const metrics = [];
  for (const m of o.metrics)
    metrics.push({ label: m.label, metric: await createPlugin<SimilarityMetric>(container, 'criterion', m.use, m.with ?? {}, host, `metrics[${m.label}]`) });
  const inputs = await preparePipelineInputs(pipeline, container, dir, host, () => {});
  const parent = inputs.model;
  try {
    const samples = similaritySamples(pipeline, inputs.data);
    const layer = session.similarityLayer(parent);
    const parentFeatures = await session.runner.capture(parent, layer, samples);
    const pool = await studyPool({ pipeline, container, parent, train: inputs.data.train, runner: session.runner, seed: pipeline.seed, log }, o.study);
    await checkPool(dir, pool);
    const outcomes: CandidateOutcome[] = [];
    for (const [index, entry] of pool.entries()) {
      const file = join(dir, 'candidates', `${String(index).padStart(3, '0')}.json`);
      const done = await readJson<CandidateOutcome>(file);
      if (done) {
        outcomes.push(done);
        continue;
      }
      const started = Date.now();
      const model = await applyPlans(parent, entry.candidate.plans);
      try {
        const before = await session.runner.evaluate(model, inputs.data.test);
        const scoresBefore = scoresOf(metrics, parentFeatures, await session.runner.capture(model, layer, samples));
        const seed = deriveSeed(pipeline.seed, 0x57d, index);
        const teachers = { base: parent, parent };
        await session.finetune.candidate?.({ seed, augment: session.augment, backend: session.backend, teachers }).fit(model, inputs.data.train);
        const after = await session.runner.evaluate(model, inputs.data.test);
        const scoresAfter = scoresOf(metrics, parentFeatures, await session.runner.capture(model, layer, samples));
        const outcome: CandidateOutcome = {
          index,
          kind: entry.candidate.kind,
          summary: entry.candidate.summary,
          ...(entry.block ? { block: entry.block } : {}),
          flops: countCost(model).flops,
          accuracyBefore: before.accuracy,
          accuracyAfter: after.accuracy,
          scoresBefore,
          scoresAfter,
          seconds: (Date.now() - started) / 1000,
        };
        await writeFileAtomic(file, `${JSON.stringify(outcome, null, 2)}\n`);
        outcomes.push(outcome);
        log(
          `oracle seed ${pipeline.seed}: candidate ${index + 1}/${pool.length} ${entry.candidate.summary}: ${(after.accuracy * 100).toFixed(2)} % after fine-tuning`,
        );
      } finally {
        model.dispose();
      }
    }
    const blockImportance = await blockScores(o, parent, inputs.data.train, session.runner, pool);
    return { seed: pipeline.seed, outcomes, blockImportance };
  } finally {
    parent.dispose();
  }
}

/** Each block criterion's importance of the pool's blocks (computed once per seed, written to `block-importance.json`). */
async function blockScores(
  o: Parameters<typeof runOracle>[0],
  parent: tfl.LayersModel,
  train: ImageDataset,
  runner: InferenceRunner,
  pool: readonly PoolEntry[],
): Promise<Record<string, Record<string, number>>> {
  const file = join(o.dir, 'block-importance.json');
  const done = await readJson<Record<string, Record<string, number>>>(file);
  if (done) return done;
  const graph = buildDependencyGraph(parent);
  const ids = new Set(pool.flatMap((p) => (p.block ? [p.block] : [])));
  const blocks = graph.blocks.filter((b) => ids.has(b.id));
  const out: Record<string, Record<string, number>> = {};
  for (const name of blocks.length ? o.study.blockCriteria : []) {
    const criterion = await createPlugin<BlockImportance>(
      o.container,
      'criterion',
      name,
      {},
      { log: o.log, seed: o.pipeline.seed },
      `study.blockCriteria[${name}]`,
    );
    const rng = createRng(deriveSeed(o.pipeline.seed, 0xb10c));
    const scores = await criterion.scoreBlocks({ parent, graph, iteration: 1, rng, train, earlier: [], runner, log: o.log }, blocks);
    out[name] = Object.fromEntries(blocks.map((b, i) => [b.id, scores[i]]));
  }
  await writeFileAtomic(file, `${JSON.stringify(out, null, 2)}\n`);
  return out;
}
