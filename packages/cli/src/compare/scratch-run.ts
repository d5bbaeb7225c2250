import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { reduction, type RunReport } from '@omniprune/core';

/** The fields of `omniprune train`'s train-report.json that a from-scratch baseline needs. */
interface ScratchTrainReport {
  readonly seed?: number;
  readonly backend?: string;
  readonly reinit?: boolean;
  readonly imagesOf?: { readonly run: string; readonly images: number };
  readonly testAccuracy: number;
  readonly testLoss: number;
  readonly flops: number;
  readonly params: number;
}

/**
 * A from-scratch baseline (`omniprune train --from RUN/final --reinit --images-of RUN`, folder `dir`) as a run of
 * the arm `scratch`: no iterations, its final model the trained architecture, measured against the base model of the
 * pruning run it mirrors (`imagesOf.run`, resolved against the working folder as when it was trained). Null when
 * `dir` holds no such training.
 * @example
 * await scratchAsRun('runs/r56-scratch') // { pruners: ['scratch'], final: { accuracyChange: -0.004, ... }, ... } | null
 */
export async function scratchAsRun(dir: string): Promise<RunReport | null> {
  const text = await readFile(join(dir, 'train-report.json'), 'utf8').catch(() => null);
  if (text === null) return null;
  const train = JSON.parse(text) as ScratchTrainReport;
  if (!train.reinit || !train.imagesOf) return null;
  const mirrored = JSON.parse(await readFile(join(resolve(train.imagesOf.run), 'report.json'), 'utf8')) as RunReport;
  const { baseline } = mirrored;
  const stats = { flops: train.flops, params: train.params, accuracy: train.testAccuracy, loss: train.testLoss };
  return {
    name: `scratch of ${mirrored.name}`,
    seed: train.seed ?? mirrored.seed,
    backend: train.backend ?? mirrored.backend,
    similarity: 'none',
    pruners: ['scratch'],
    baseline,
    iterations: [],
    final: {
      iteration: 0,
      stats,
      flopsReduction: reduction(baseline.flops, stats.flops),
      paramsReduction: reduction(baseline.params, stats.params),
      accuracyChange: stats.accuracy - baseline.accuracy,
    },
  };
}
