import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { hashSettings } from '@omniprune/core/util';
import { writeFileAtomic, type IterationRecord, type RunReport } from '@omniprune/core';
import type { BenchCell } from './cells.js';
import { watchIterations } from './cell-progress.js';
import { cliCommand } from './cli-entry.js';

/** Outcome of one cell. */
export interface CellResult {
  readonly id: string;
  readonly status: 'done' | 'failed';
  /** Wall-clock seconds of the run (of the last attempt for a resumed cell). */
  readonly seconds: number;
  readonly report?: RunReport;
  /** True when an earlier invocation finished the cell (not run again). */
  readonly reused?: boolean;
  /** Last lines of the worker's stderr when it failed. */
  readonly error?: string;
}

/**
 * The finished report in a cell's folder, if its run ended: its final model written (`final.files`, the run's last
 * step). A run stopped in its final recovery has a `final` row but no files yet, and is resumed, not reused.
 */
export async function finishedReport(dir: string): Promise<RunReport | undefined> {
  const text = await readFile(join(dir, 'report.json'), 'utf8').catch(() => null);
  if (!text) return undefined;
  const report = JSON.parse(text) as RunReport;
  return report.final?.files ? report : undefined;
}

/**
 * What an earlier invocation left in a cell's folder: its finished run when made with this cell's pipeline, a failed
 * result naming the folder when the finished run there had other settings (never silently reused), or undefined when
 * the cell has still to run (or to resume).
 * @example
 * const earlier = await earlierResult(cell, join(outDir, 'cells', cell.id), previousTimes);
 */
export async function earlierResult(cell: BenchCell, dir: string, previous?: ReadonlyMap<string, number>): Promise<CellResult | undefined> {
  const done = await finishedReport(dir);
  if (!done) return undefined;
  if (await ranThisPipeline(cell, dir)) return { id: cell.id, status: 'done', seconds: previous?.get(cell.id) ?? 0, report: done, reused: true };
  const error = `${dir} holds a finished run of other settings (its pipeline.yaml differs from this cell's, or is missing); it is not reused`;
  return { id: cell.id, status: 'failed', seconds: 0, error: `${error}\n  hint: delete that folder, or give the bench another output` };
}

/** The pipeline a cell runs, as written to its folder's `pipeline.yaml`. */
export function cellPipeline(cell: BenchCell, dir: string): Record<string, unknown> {
  return { ...cell.pipeline, output: dir };
}

/**
 * Whether the run in a cell's folder was made with this cell's pipeline: its `pipeline.yaml` says the same. A finished
 * run is reused only then; a folder without one (or with other settings) is never taken for this cell's result.
 */
export async function ranThisPipeline(cell: BenchCell, dir: string): Promise<boolean> {
  const text = await readFile(join(dir, 'pipeline.yaml'), 'utf8').catch(() => null);
  return text !== null && hashSettings(parse(text)) === hashSettings(cellPipeline(cell, dir));
}

/** How a pipeline process ended: its exit code (null when a signal ended it) and the tail of its stderr. */
export interface ProcessEnd {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** The file in a cell's folder that keeps everything its run printed (appended to by every attempt). */
export const CELL_LOG = 'run.log';

/**
 * Run `DIR/pipeline.yaml` in a new `omniprune run` process writing to `dir` (resumes what is there), with `threads`
 * wasm threads; `abort` kills it (SIGTERM). What the run prints (stdout and stderr) is appended to `DIR/run.log`.
 * @example
 * const { code } = await runPipelineProcess('runs/bench/cells/a', 1);
 */
export function runPipelineProcess(dir: string, threads: number, abort?: AbortSignal): Promise<ProcessEnd> {
  const { command, args } = cliCommand();
  return new Promise((resolvePromise) => {
    const child = spawn(command, [...args, 'run', join(dir, 'pipeline.yaml'), '--out', dir], {
      env: { ...process.env, OMNIPRUNE_WASM_THREADS: String(threads), FORCE_COLOR: '0', OMNIPRUNE_PARENT_PID: String(process.pid) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(join(dir, CELL_LOG), { flags: 'a' });
    log.on('error', () => {}); // the log is a convenience: a full disk must not end the cell
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    const kill = () => child.kill('SIGTERM');
    abort?.addEventListener('abort', kill, { once: true });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-20_000);
    });
    child.on('close', (code, signal) => {
      abort?.removeEventListener('abort', kill);
      const done = () => resolvePromise({ code, signal, stderr });
      if (log.destroyed) done();
      else log.end(done);
    });
  });
}

/** The last lines of a failed process's stderr, or its exit code / signal when it printed nothing. */
export function failureText(end: ProcessEnd): string {
  return end.stderr.trim().split('\n').slice(-5).join('\n') || (end.signal ? `killed by ${end.signal}` : `exit code ${end.code}`);
}

/** Options of {@link runCells}. */
export interface RunCellsOptions {
  readonly outDir: string;
  readonly workers: number;
  /** Threads per worker (wasm). */
  readonly threads: number;
  /** Wall times of cells finished by an earlier invocation. */
  readonly previous?: ReadonlyMap<string, number>;
  /** Aborting stops the running cells (their runs stop after their current step and resume later) and starts no more. */
  readonly signal?: AbortSignal;
  onStart?(cell: BenchCell, index: number): void;
  /** Each iteration of a running cell, in order, as its report records it (checked every `progressMs`). */
  onIteration?(cell: BenchCell, index: number, iteration: IterationRecord): void;
  /** How often a running cell's report is read for `onIteration` (default 10 s). */
  readonly progressMs?: number;
  onDone?(result: CellResult, index: number): void | Promise<void>;
}

/**
 * Run every cell with up to `workers` processes at once (each its own TensorFlow.js). A cell whose folder holds
 * a finished report is not run again; an interrupted one resumes (the run command's own resume).
 * @example
 * const results = await runCells(cells, { outDir: 'runs/bench', workers: 2, threads: 1 });
 */
export async function runCells(cells: readonly BenchCell[], options: RunCellsOptions): Promise<CellResult[]> {
  const results: CellResult[] = new Array(cells.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cells.length && !options.signal?.aborted) {
      const index = next++;
      const cell = cells[index];
      const dir = join(options.outDir, 'cells', cell.id);
      const earlier = await earlierResult(cell, dir, options.previous);
      if (earlier) {
        results[index] = earlier;
      } else {
        await mkdir(dir, { recursive: true });
        await writeFileAtomic(join(dir, 'pipeline.yaml'), stringify(cellPipeline(cell, dir)));
        options.onStart?.(cell, index);
        const start = Date.now();
        const onIteration = options.onIteration;
        const stopWatching = onIteration ? watchIterations(dir, (it) => onIteration(cell, index, it), options.progressMs ?? 10_000) : undefined;
        const end = await runPipelineProcess(dir, options.threads, options.signal).finally(() => stopWatching?.());
        const seconds = (Date.now() - start) / 1000;
        const report = await finishedReport(dir);
        results[index] =
          end.code === 0 && report ? { id: cell.id, status: 'done', seconds, report } : { id: cell.id, status: 'failed', seconds, error: failureText(end) };
      }
      await options.onDone?.(results[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.workers, cells.length) }, worker));
  options.signal?.throwIfAborted();
  return results;
}
