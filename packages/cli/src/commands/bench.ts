import { defineCommand } from 'citty';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { OmnipruneError, checkWritableDir, loadPipelinePlugins, writeFileAtomic } from '@omniprune/core';
import { renderBenchHtml } from '../bench/bench-html.js';
import { COMPARISON_FILES, writeComparison } from '../compare/write-comparison.js';
import { compareRuns } from '../compare/compare-runs.js';
import { loadBenchSpec, type BenchSpec } from '../bench/bench-spec.js';
import { identificationText, runSanity } from '../bench/sanity.js';
import { renderSanityHtml } from '../bench/sanity-html.js';
import type { BenchCell } from '../bench/cells.js';
import { validatedCells } from '../bench/validate-bench.js';
import { runStudy } from '../study/run-study.js';
import { iterationLine } from '../bench/cell-progress.js';
import { CELL_LOG, runCells, type CellResult } from '../bench/run-cells.js';
import { runCellsOnQueue } from '../queue/queue-cells.js';
import { queueUrl, redact, studyPrefix, type QueueProgress } from '@omniprune/queue';
import { benchCsv, summarize } from '../bench/summary.js';
import { metricAgreement } from '../bench/agreement.js';
import { parsePositiveInt, startBackend } from '../shared/common-args.js';
import { interruptSignal } from '../shared/interrupt.js';
import { builtinContainer } from '../shared/plugin-registry.js';

async function previousTimes(outDir: string): Promise<Map<string, number>> {
  const text = await readFile(join(outDir, 'bench.json'), 'utf8').catch(() => null);
  if (!text) return new Map();
  const old = JSON.parse(text) as { cells?: { id: string; seconds?: number }[] };
  return new Map((old.cells ?? []).filter((c) => c.seconds).map((c) => [c.id, c.seconds!]));
}

async function writeOutputs(outDir: string, name: string, cells: readonly BenchCell[], results: readonly CellResult[], workers: number): Promise<void> {
  const summary = summarize(cells, results);
  const agreement = metricAgreement(cells, results);
  const json = {
    name,
    workers,
    metrics: summary,
    agreement,
    cells: cells.map((c, i) => ({
      id: c.id,
      metric: c.metric,
      seed: c.seed,
      arm: c.arm,
      options: c.options,
      status: results[i]?.status ?? 'pending',
      seconds: results[i]?.seconds,
      final: results[i]?.report?.final,
      iterations: results[i]?.report?.iterations.map((it) => ({
        iteration: it.iteration,
        chosenKind: it.chosenKind,
        accuracy: it.stats.accuracy,
        flopsReduction: it.flopsReduction,
      })),
      error: results[i]?.error,
    })),
  };
  await writeFileAtomic(join(outDir, 'bench.json'), `${JSON.stringify(json, null, 2)}\n`);
  await writeFileAtomic(join(outDir, 'bench.csv'), benchCsv(cells, results));
  await writeFileAtomic(join(outDir, 'bench.html'), renderBenchHtml(name, cells, results, summary, agreement));
  const runs = cells.flatMap((c, i) =>
    results[i]?.status === 'done' && results[i].report ? [{ dir: join('cells', c.id), arm: c.group, report: results[i].report! }] : [],
  );
  if (runs.length > 0) {
    await writeComparison(outDir, compareRuns(runs));
  }
}

/** A progress printer for queue mode: one line whenever the counts change. */
function progressPrinter(total: number): (p: QueueProgress) => void {
  let last = '';
  return (p) => {
    const workers = Object.entries(p.perWorker)
      .map(([w, n]) => `${w} ${n}`)
      .join(', ');
    const line = `queue: ${p.done}/${total} done, ${p.running} running${workers ? ` (${workers})` : ''}, ${p.waiting} waiting, ${p.failed} failed`;
    if (line !== last) process.stderr.write(`${line}\n`);
    last = line;
  };
}

async function runSanityCommand(spec: BenchSpec, outDir: string): Promise<void> {
  await startBackend('auto');
  const metrics = spec.metrics.flatMap((m) => {
    const entry = typeof m === 'string' ? { use: m } : m;
    if (entry.layer === 'logits') {
      process.stderr.write(`sanity: skipping ${entry.use}@logits (an output-level metric compares predictions, not layers)\n`);
      return [];
    }
    return [{ name: entry.use, use: entry.use, with: entry.with }];
  });
  // the base pipeline's plugins: a metric from a plugin package is as usable here as in the bench itself
  const container = builtinContainer();
  await loadPipelinePlugins(spec.pipelineFile, container);
  const results = await runSanity(spec.sanity, metrics, container, (line) => process.stderr.write(`${line}\n`));
  await writeFileAtomic(join(outDir, 'sanity.json'), `${JSON.stringify({ settings: spec.sanity, metrics: results }, null, 2)}\n`);
  await writeFileAtomic(join(outDir, 'sanity.html'), renderSanityHtml(spec.name, spec.sanity, results));
  for (const r of results) {
    if (r.error) {
      process.stdout.write(`${r.metric.padEnd(22)} not computed: ${r.error}\n`);
      continue;
    }
    process.stdout.write(
      `${r.metric.padEnd(22)} layer identification ${identificationText(r.layerIdentification).padStart(7)}  PC removal ${r.pcRemoval.map((p) => p.similarity.toFixed(3)).join(' ')}${r.decreasesWithComponents ? '' : '  (does not fall as components go)'}\n`,
    );
  }
  process.stdout.write(`wrote ${outDir}/sanity.json, sanity.html\n`);
}

/** `omniprune bench`: run a grid of pipelines (metrics x seeds x options) in parallel workers and compare them. */
export default defineCommand({
  meta: {
    name: 'bench',
    description:
      'Compare similarity metrics and arms: run a grid of pipelines (metrics x seeds x arms x options) in parallel workers; writes bench.json, bench.csv, bench.html, compare.json, compare.html (resumable)',
  },
  args: {
    bench: { type: 'positional', required: true, description: 'Bench YAML file (base pipeline, metrics, seeds, arms, grid)' },
    workers: { type: 'string', description: "Parallel worker processes (default: the bench file's workers, else the machine's cores)" },
    out: { type: 'string', description: "Output directory (default: the bench file's output)" },
    queue: {
      type: 'string',
      description:
        'Run the cells on a job queue instead of local processes: redis://[user[:password]@]host[:port][/db] or rediss:// (TLS); default $REDIS_URL when --queue is given empty. Start workers with `omniprune worker --queue URL`',
    },
    prefix: {
      type: 'string',
      default: 'omniprune',
      description: 'Queue key prefix of the study (with --queue): studies with different prefixes never share jobs or workers',
    },
    oracle: {
      type: 'boolean',
      default: false,
      description:
        "Run the oracle study instead (the bench file's study: block): a pool of candidates fine-tuned and measured, every metric's rank correlation with the accuracy they keep; writes study.json and study.html (resumable)",
    },
    sanity: {
      type: 'boolean',
      default: false,
      description: "Run the metric sanity suite on the bench's metrics instead (layer identification, PC removal); writes sanity.json and sanity.html",
    },
  },
  async run({ args }) {
    const spec = await loadBenchSpec(args.bench);
    const workers = args.workers ? parsePositiveInt('workers', args.workers, 1) : spec.workerCount;
    const outDir = args.out ?? spec.outDir;
    await checkWritableDir(outDir, 'output folder');
    if (args.sanity) return runSanityCommand(spec, outDir);
    const cells = await validatedCells(spec, outDir);
    if (args.oracle) {
      process.stdout.write(await runStudy(spec, cells, outDir, (line) => process.stderr.write(`${line}\n`)));
      return;
    }
    const threads = Math.max(1, Math.floor(availableParallelism() / workers));
    const url = args.queue === undefined ? undefined : queueUrl(args.queue);
    if (args.queue !== undefined && !url) {
      throw new OmnipruneError('E_BAD_INPUT', '--queue needs a URL (or REDIS_URL set)', { hint: 'e.g. --queue redis://localhost:6379' });
    }
    const prefix = studyPrefix(args.prefix ?? 'omniprune');
    const where = url
      ? `queue ${redact(url)} (prefix ${prefix})`
      : `${workers} worker${workers === 1 ? '' : 's'} x ${threads} thread${threads === 1 ? '' : 's'}`;
    process.stderr.write(
      `bench ${spec.name}: ${cells.length} cells (${spec.metrics.length} metrics x ${spec.seeds.length} seeds${spec.arms.length > 1 ? ` x ${spec.arms.length} arms` : ''}` +
        `${Object.keys(spec.grid).length ? ' x grid' : ''}), ${where}\n`,
    );
    const results: CellResult[] = [];
    let finished = 0;
    let writing = Promise.resolve();
    const start = Date.now();
    const onDone = async (r: CellResult, i: number): Promise<void> => {
      results[i] = r;
      finished++;
      const f = r.report?.final;
      process.stderr.write(
        `[${finished}/${cells.length} done] ${r.id}: ${r.status}${r.reused ? ' (earlier run)' : ` in ${r.seconds.toFixed(0)} s`}` +
          `${f ? `, FLOPs -${(f.flopsReduction * 100).toFixed(1)} %, ${(f.accuracyChange * 100).toFixed(2)} points` : ''}${r.error ? `\n  ${r.error.replace(/\n/g, '\n  ')}` : ''}\n`,
      );
      writing = writing.then(() => writeOutputs(outDir, spec.name, cells, results, workers));
      await writing;
    };
    const previous = await previousTimes(outDir);
    const signal = interruptSignal();
    const all = url
      ? await runCellsOnQueue(cells, { outDir, url, prefix, bench: spec.name, previous, onDone, signal, onProgress: progressPrinter(cells.length) })
      : await runCells(cells, {
          outDir,
          workers,
          threads,
          previous,
          signal,
          onStart: (cell, i) => process.stderr.write(`[${i + 1}/${cells.length}] ${cell.id}: running (log: ${join(outDir, 'cells', cell.id, CELL_LOG)})\n`),
          onIteration: (cell, i, it) => process.stderr.write(`[${i + 1}/${cells.length}] ${cell.id}: ${iterationLine(it)}\n`),
          onDone,
        });
    await writeOutputs(outDir, spec.name, cells, all, workers);
    process.stdout.write(
      `bench ${spec.name}: ${all.filter((r) => r.status === 'done').length}/${cells.length} cells in ${((Date.now() - start) / 1000).toFixed(0)} s; wrote ${outDir}/bench.json, bench.csv, bench.html${all.some((r) => r.status === 'done') ? `, ${COMPARISON_FILES.join(', ')}` : ''}\n`,
    );
    if (new Set(cells.map((c) => c.metric)).size > 1) process.stdout.write(`metrics: ${metricAgreement(cells, all).statement}\n`);
    const failed = all.filter((r) => r.status === 'failed');
    if (failed.length) {
      throw new OmnipruneError('E_INTERNAL', `${failed.length} of ${cells.length} cells failed (${failed.map((f) => f.id).join(', ')})`, {
        hint: `see ${outDir}/bench.html; rerun the same command to retry them`,
      });
    }
  },
});
