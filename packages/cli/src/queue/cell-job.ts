import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeFileAtomic } from '@omniprune/core';
import { JobFailure, type CellJobData, type CellJobResult } from '@omniprune/queue';
import { absolutePipelinePaths } from '@omniprune/core';
import { failureText, finishedReport, runPipelineProcess } from '../bench/run-cells.js';

/**
 * Run one bench cell on this machine: its pipeline (relative paths resolved against `root`) in `workDir/JOB_ID`
 * (an earlier attempt on this machine resumes there) in a new `omniprune run` process. The run's own failure (exit 2:
 * bad pipeline, exit 1: failed run) is a {@link JobFailure}; a killed process is an ordinary error (retried).
 * @example
 * const result = await runCellHere(job.data, job.id!, { root: process.cwd(), workDir, threads: 1, abort });
 */
export async function runCellHere(
  data: CellJobData,
  jobId: string,
  options: { root: string; workDir: string; threads: number; abort: AbortSignal },
): Promise<Omit<CellJobResult, 'worker'>> {
  const dir = join(options.workDir, jobId);
  await mkdir(dir, { recursive: true });
  const pipeline = absolutePipelinePaths(data.pipeline, join(options.root, 'pipeline.yaml'));
  await writeFileAtomic(join(dir, 'pipeline.yaml'), stringify({ ...pipeline, output: dir }));
  const start = Date.now();
  const end = await runPipelineProcess(dir, options.threads, options.abort);
  const seconds = (Date.now() - start) / 1000;
  const report = await finishedReport(dir);
  if (end.code === 0 && report) return { report, log: end.stderr, seconds };
  if (end.code === 1 || end.code === 2) throw new JobFailure(`cell ${data.cellId} failed: ${failureText(end)}`);
  throw new Error(`cell ${data.cellId}: the run process ended without a report (${failureText(end)})`);
}
