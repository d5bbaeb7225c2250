import { absolutePipelinePaths, OmnipruneError, onlyPruners } from '@omniprune/core';
import { hashSettings } from '@omniprune/core/util';
import type { BenchSpec } from './bench-spec.js';

/** One run of the grid: a metric, a seed and one value per grid option. */
export interface BenchCell {
  /** Folder-safe id, unique in the bench, e.g. `linear-cka__seed-2__stop.maxIterations-3`. */
  readonly id: string;
  readonly metric: string;
  readonly seed: number;
  /** `all`, or the pruners whose candidates compete (`layer`, `filter`, `layer,filter`). */
  readonly arm: string;
  /** What the cell is aggregated under: its metric, and its arm when the bench has several. */
  readonly group: string;
  /** Grid values of this cell (dotted path -> value). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The pipeline this cell runs (paths absolute). */
  readonly pipeline: Record<string, unknown>;
}

/** Set `value` at a dotted `path` of a plain object, creating objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null || Array.isArray(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

/** `pruners` keeping only the arm's (comma list) as candidates, as `run --only` does. */
export function restrictArm(pruners: unknown, arm: string): unknown {
  if (!Array.isArray(pruners)) return pruners; // a malformed pipeline is left to validation
  return onlyPruners(
    pruners as { use: string }[],
    arm.split(',').map((n) => n.trim()),
    'bench arms:',
  );
}

/** A folder-safe form of `v`; a long one keeps 32 characters and a hash of the whole, so two values never share one. */
function slug(v: unknown): string {
  const text = String(typeof v === 'object' ? JSON.stringify(v) : v).replace(/[^A-Za-z0-9._-]+/g, '_');
  return text.length <= 40 ? text : `${text.slice(0, 32)}-${hashSettings(v).slice(0, 7)}`;
}

/**
 * How a bench names a metric entry: the plugin, `@layer`, and every other setting (`with:`, `split`, `samples`), so
 * that variants of one metric (`{ use: rbf-cka, with: { threshold: 2 } }`) are cells of their own.
 * @example
 * metricLabel({ use: 'rbf-cka', with: { threshold: 0.5 } }) // 'rbf-cka(threshold=0.5)'
 */
export function metricLabel(entry: BenchSpec['metrics'][number]): string {
  if (typeof entry === 'string') return entry;
  const { use, layer, with: options, ...rest } = entry;
  const settings = { ...(options && typeof options === 'object' ? options : options === undefined ? {} : { with: options }), ...rest };
  const text = Object.entries(settings)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(',');
  return `${use}${layer ? `@${layer}` : ''}${text ? `(${text})` : ''}`;
}

/** Refuse a bench whose metric entries name the same metric with the same settings twice (one would reuse the other's cells). */
function checkDistinctMetrics(spec: BenchSpec): void {
  const labels = spec.metrics.map(metricLabel);
  const twice = labels.findIndex((l, i) => labels.indexOf(l) !== i);
  if (twice < 0) return;
  throw new OmnipruneError('E_SCHEMA', `invalid bench file ${spec.file}:\n  metrics[${twice}]: "${labels[twice]}" is listed twice`, {
    hint: 'list each metric once; variants differ in their with: settings',
  });
}

function combinations(grid: Readonly<Record<string, readonly unknown[]>>): Record<string, unknown>[] {
  return Object.entries(grid).reduce<Record<string, unknown>[]>((acc, [path, values]) => acc.flatMap((c) => values.map((v) => ({ ...c, [path]: v }))), [{}]);
}

/**
 * Every cell of the bench: metrics x seeds x arms x grid combinations, in that nesting order.
 * @example
 * expandCells(spec, basePipeline).map((c) => c.id) // ['linear-cka__seed-1', 'linear-cka__seed-2', ...]
 */
export function expandCells(spec: BenchSpec, base: Record<string, unknown>): BenchCell[] {
  checkDistinctMetrics(spec);
  const cells: BenchCell[] = [];
  for (const entry of spec.metrics) {
    const similarity = typeof entry === 'string' ? { use: entry } : entry;
    const metric = metricLabel(entry);
    for (const seed of spec.seeds) {
      for (const arm of spec.arms) {
        for (const options of combinations(spec.grid)) {
          const pipeline = absolutePipelinePaths(base, spec.pipelineFile);
          for (const [path, value] of Object.entries(spec.set)) setPath(pipeline, path, value);
          pipeline.similarity = { ...(pipeline.similarity as object), ...similarity };
          pipeline.seed = seed;
          for (const [path, value] of Object.entries(options)) setPath(pipeline, path, value);
          if (arm !== 'all') pipeline.pruners = restrictArm(pipeline.pruners, arm);
          const armId = arm === 'all' ? [] : [`only-${slug(arm)}`];
          const id = [slug(metric), `seed-${seed}`, ...armId, ...Object.entries(options).map(([k, v]) => `${slug(k)}-${slug(v)}`)].join('__');
          const group = spec.arms.length > 1 ? `${metric} [${arm}]` : metric;
          cells.push({ id, metric, seed, arm, group, options, pipeline });
        }
      }
    }
  }
  return cells;
}
