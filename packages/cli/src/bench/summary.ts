import type { BenchCell } from './cells.js';
import type { CellResult } from './run-cells.js';

/** Mean and sample standard deviation (0 for one value). */
export interface MeanStd {
  readonly mean: number;
  readonly std: number;
  readonly n: number;
}

/** Aggregate over the finished cells of one metric (and arm, when the bench has several): all seeds and grid values. */
export interface MetricSummary {
  readonly metric: string;
  readonly cells: number;
  readonly failed: number;
  readonly finalAccuracy: MeanStd;
  readonly accuracyChange: MeanStd;
  readonly flopsReduction: MeanStd;
  readonly paramsReduction: MeanStd;
  readonly iterations: MeanStd;
  readonly seconds: MeanStd;
  /** How often each structure kind won an iteration, over all the metric's cells. */
  readonly kindsChosen: Readonly<Record<string, number>>;
}

/**
 * Mean and sample standard deviation.
 * @example
 * meanStd([1, 2, 3]) // { mean: 2, std: 1, n: 3 }
 */
export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, n };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** Aggregate the finished cells per group (metric, and arm when there are several), in the order they first appear. */
export function summarize(cells: readonly BenchCell[], results: readonly CellResult[]): MetricSummary[] {
  const groups = [...new Set(cells.map((c) => c.group))];
  return groups.map((metric) => {
    const mine = results.filter((r, i) => r && cells[i].group === metric);
    const done = mine.filter((r) => r.status === 'done' && r.report?.final);
    const finals = done.map((r) => r.report!.final!);
    const kindsChosen: Record<string, number> = {};
    for (const r of done) for (const it of r.report!.iterations) kindsChosen[it.chosenKind] = (kindsChosen[it.chosenKind] ?? 0) + 1;
    return {
      metric,
      cells: mine.length,
      failed: mine.length - done.length,
      finalAccuracy: meanStd(finals.map((f) => f.stats.accuracy)),
      accuracyChange: meanStd(finals.map((f) => f.accuracyChange)),
      flopsReduction: meanStd(finals.map((f) => f.flopsReduction)),
      paramsReduction: meanStd(finals.map((f) => f.paramsReduction)),
      iterations: meanStd(done.map((r) => r.report!.iterations.length)),
      seconds: meanStd(done.map((r) => r.seconds)),
      kindsChosen,
    };
  });
}

const CSV_COLUMNS = [
  'cell',
  'metric',
  'seed',
  'arm',
  'options',
  'status',
  'seconds',
  'iterations',
  'baseline_accuracy',
  'final_accuracy',
  'accuracy_change',
  'flops_reduction',
  'params_reduction',
  'kinds_chosen',
];

function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One CSV row per cell (finished or failed), with a header.
 * @example
 * benchCsv(cells, results).split('\n')[0] // 'cell,metric,seed,options,status,...'
 */
export function benchCsv(cells: readonly BenchCell[], results: readonly CellResult[]): string {
  const rows = cells.map((cell, i) => {
    const r = results[i];
    const report = r?.report;
    const kinds = report ? report.iterations.map((it) => it.chosenKind).join(' ') : '';
    return [
      cell.id,
      cell.metric,
      cell.seed,
      cell.arm,
      JSON.stringify(cell.options),
      r?.status ?? 'pending',
      r?.seconds.toFixed(1),
      report?.iterations.length,
      report?.baseline.accuracy,
      report?.final?.stats.accuracy,
      report?.final?.accuracyChange,
      report?.final?.flopsReduction,
      report?.final?.paramsReduction,
      kinds,
    ]
      .map(csvField)
      .join(',');
  });
  return `${[CSV_COLUMNS.join(','), ...rows].join('\n')}\n`;
}
