import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OmnipruneError, trainingImagesOf, type RunReport } from '@omniprune/core';

/**
 * The training budget of a pruning run, for a baseline trained at equal compute: the images its fine-tunes and final
 * recovery went through (report.json), and the whole epochs over `trainCount` images closest to that (at least 1).
 * @example
 * await imagesBudget('runs/resnet56', 55_000) // { images: 1_548_000, epochs: 28 }
 */
export async function imagesBudget(runDir: string, trainCount: number): Promise<{ images: number; epochs: number }> {
  const text = await readFile(join(runDir, 'report.json'), 'utf8').catch((cause) => {
    throw new OmnipruneError('E_FILE_NOT_FOUND', `no report.json in ${runDir}`, {
      cause,
      hint: 'give the folder of a pruning run (omniprune run ... --out DIR)',
    });
  });
  const report = JSON.parse(text) as RunReport;
  if (!report.final) throw new OmnipruneError('E_BAD_INPUT', `the run in ${runDir} has not ended`, { hint: 'finish it first (run the same command again)' });
  const counted = report.iterations.filter((it) => it.iteration <= report.final!.iteration);
  if (counted.some((it) => it.trainedImages === undefined)) {
    throw new OmnipruneError('E_BAD_INPUT', `the run in ${runDir} predates the count of training images per iteration`, {
      hint: 'give --epochs instead (iterations x fine-tune images, plus the recovery, divided by the training images)',
    });
  }
  const images = trainingImagesOf(report);
  return { images, epochs: Math.max(1, Math.round(images / trainCount)) };
}
