import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { OmnipruneError, parsePipelineYaml } from '@omniprune/core';
import { formatZodIssues } from '@omniprune/core/plugin';
import { sanitySpecSchema } from './sanity.js';
import { studySpecSchema } from '../study/study-spec.js';

const similarityEntry = z.union([
  z.string().min(1),
  z.strictObject({
    use: z.string().min(1),
    with: z.unknown().optional(),
    layer: z.string().optional(),
    split: z.enum(['train', 'test']).optional(),
    samples: z.number().int().positive().optional(),
  }),
]);

/** A bench file: one base pipeline, a grid of similarity metrics x seeds x other pipeline options. */
export const benchSpecSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1).default('bench'),
  /** Base pipeline file, relative to the bench file. */
  pipeline: z.string().min(1),
  /** Similarity metrics to compare: a plugin name, or a full `similarity:` block (e.g. `{ use: output-kl, layer: logits }`). */
  metrics: z.array(similarityEntry).min(1),
  /** Seeds; every metric runs with each. */
  seeds: z.array(z.number().int().nonnegative()).min(1).default([1]),
  /**
   * Arms to run for every metric and seed: `all` (the pipeline as written) or the pruners whose candidates compete
   * (comma list, as `run --only`: the others only size candidates), e.g. `[all, layer, filter]`.
   */
  arms: z.array(z.string().min(1)).min(1).default(['all']),
  /** Other pipeline options to vary: dotted path -> values (e.g. `stop.flopsReduction: [0.3, 0.5]`). */
  grid: z.record(z.string().min(1), z.array(z.unknown()).min(1)).default({}),
  /** Options set in every cell (dotted path -> value), e.g. smaller subsets for a quick bench. */
  set: z.record(z.string().min(1), z.unknown()).default({}),
  /** Parallel workers, each its own process and TensorFlow.js. Default: the machine's cores. */
  workers: z.number().int().positive().optional(),
  /** Output directory, relative to the bench file. */
  output: z.string().min(1).default('runs/bench'),
  /** Settings of `bench --sanity` (the metric sanity suite). */
  sanity: sanitySpecSchema.default(sanitySpecSchema.parse({})),
  /** Settings of `bench --oracle` (every metric against the accuracy each candidate of a pool keeps). */
  study: studySpecSchema.default(studySpecSchema.parse({})),
});

/** A parsed bench file with absolute paths. */
export type BenchSpec = z.output<typeof benchSpecSchema> & {
  readonly file: string;
  readonly pipelineFile: string;
  readonly outDir: string;
  readonly workerCount: number;
};

/**
 * Read and validate a bench file.
 * @example
 * const spec = await loadBenchSpec('examples/bench-metrics.yaml');
 */
export async function loadBenchSpec(path: string): Promise<BenchSpec> {
  const file = resolve(path);
  const text = await readFile(file, 'utf8').catch((cause) => {
    throw new OmnipruneError('E_FILE_NOT_FOUND', `no bench file at ${path}`, { cause, hint: 'see examples/bench-metrics.yaml' });
  });
  const parsed = benchSpecSchema.safeParse(parsePipelineYaml(text, path));
  if (!parsed.success) {
    throw new OmnipruneError('E_SCHEMA', `invalid bench file ${path}:\n  ${formatZodIssues(parsed.error, '')}`, { hint: 'see examples/bench-metrics.yaml' });
  }
  const dir = dirname(file);
  const at = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  return {
    ...parsed.data,
    file,
    pipelineFile: at(parsed.data.pipeline),
    outDir: at(parsed.data.output),
    workerCount: parsed.data.workers ?? availableParallelism(),
  };
}
