import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeFileAtomic, type RunReport } from '@omniprune/core';
import {
  CELL_QUEUE,
  claimStudyAt,
  contentId,
  enqueueJobs,
  openQueue,
  parseRedisUrl,
  watchJobs,
  type CellJobData,
  type CellJobResult,
  type JobOutcome,
  type QueueProgress,
  type QueueSettings,
} from '@omniprune/queue';
import { omnipruneVersions } from '../shared/versions.js';
import type { BenchCell } from '../bench/cells.js';
import { relativePipelinePaths } from '@omniprune/core';
import { cellPipeline, earlierResult, type CellResult, type RunCellsOptions } from '../bench/run-cells.js';

/** Options of {@link runCellsOnQueue}: the local options (minus workers and threads, the workers' business) and the queue. */
export interface QueueCellsOptions extends Pick<RunCellsOptions, 'outDir' | 'previous' | 'onDone' | 'signal'> {
  /** `redis://` or `rediss://` URL of the queue. */
  readonly url: string;
  /** The study's key prefix. */
  readonly prefix: string;
  readonly bench: string;
  /** Paths inside it travel relative (workers resolve them in their own project folder). Default: the working directory. */
  readonly root?: string;
  onProgress?(progress: QueueProgress): void;
  pollMs?: number;
}

/** A finished cell's files in the coordinator's output folder: the report (atomic) and the worker's log. */
async function saveOutcome(cell: BenchCell, dir: string, outcome: JobOutcome<CellJobResult>): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (outcome.status === 'done') {
    await writeFileAtomic(join(dir, 'pipeline.yaml'), stringify(cellPipeline(cell, dir)));
    await writeFileAtomic(join(dir, 'worker.log'), `${outcome.result.worker}\n${outcome.result.log}`);
    await writeFileAtomic(join(dir, 'report.json'), `${JSON.stringify(outcome.result.report, null, 2)}\n`);
  }
}

/**
 * The bench's cells on a BullMQ queue instead of local processes: cells finished in `outDir` are not enqueued again,
 * the others are enqueued once each (job id = content hash) and collected as workers finish them; every finished
 * cell's report is written to `outDir/cells/ID/report.json` (atomically, once). Same results contract as `runCells`.
 * @throws OmnipruneError `E_QUEUE` when Redis is unreachable, refuses the password, or the study belongs to other versions
 * @example
 * const results = await runCellsOnQueue(cells, { outDir, url: 'redis://localhost:6379', prefix: 'omniprune', bench: 'grid' });
 */
export async function runCellsOnQueue(cells: readonly BenchCell[], options: QueueCellsOptions): Promise<CellResult[]> {
  const settings: QueueSettings = { target: parseRedisUrl(options.url), prefix: options.prefix };
  const versions = omnipruneVersions();
  await claimStudyAt(settings.target, options.prefix, versions, 'coordinator');
  const queue = openQueue<CellJobData, CellJobResult>(CELL_QUEUE, settings);
  try {
    const results: CellResult[] = new Array(cells.length);
    const pending: number[] = [];
    for (const [i, cell] of cells.entries()) {
      const earlier = await earlierResult(cell, join(options.outDir, 'cells', cell.id), options.previous);
      if (earlier) {
        results[i] = earlier;
        await options.onDone?.(results[i], i);
      } else {
        pending.push(i);
      }
    }
    const root = options.root ?? process.cwd();
    const jobs: CellJobData[] = pending.map((i) => ({
      bench: options.bench,
      cellId: cells[i].id,
      pipeline: relativePipelinePaths(cells[i].pipeline, root),
      versions,
    }));
    const ids = await enqueueJobs(
      queue,
      jobs.map((data) => ({ id: contentId('cell', data), name: data.cellId, data })),
    );
    await watchJobs(queue, ids, {
      pollMs: options.pollMs,
      signal: options.signal,
      // cells finished before this invocation count as done
      onProgress: (p) => options.onProgress?.({ ...p, done: p.done + cells.length - pending.length }),
      async onDone(k, outcome) {
        const i = pending[k];
        const cell = cells[i];
        await saveOutcome(cell, join(options.outDir, 'cells', cell.id), outcome);
        results[i] =
          outcome.status === 'done'
            ? { id: cell.id, status: 'done', seconds: outcome.result.seconds, report: outcome.result.report as RunReport }
            : { id: cell.id, status: 'failed', seconds: 0, error: outcome.error };
        await options.onDone?.(results[i], i);
      },
    });
    return results;
  } finally {
    await queue.close();
  }
}
