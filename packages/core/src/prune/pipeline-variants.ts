import { OmnipruneError } from '../errors/omniprune-error.js';
import type { Pipeline } from './load-pipeline.js';

/**
 * The same pipeline restricted to some of its pruners: the fair baseline (layer-only, filter-only) of an
 * all-at-once pipeline, identical in everything else. The pruners left out stay as `sizingOnly`: they still propose
 * each iteration when a kept pruner sizes its candidate by them (a filter-only baseline's `match-layer` budget), so
 * the baseline takes the all-at-once run's step sizes, but their own candidates are never built or scored. Its
 * default output directory gets a `-only-<names>` suffix so it never resumes the full pipeline's run.
 * @example
 * const layerOnly = restrictPruners(pipeline, ['layer']);
 */
export function restrictPruners(pipeline: Pipeline, names: readonly string[]): Pipeline {
  const output = `${pipeline.output.replace(/\/+$/, '')}-only-${names.join('-')}`;
  const rawPruners = Array.isArray(pipeline.source.pruners) ? (pipeline.source.pruners as { use: string }[]) : [];
  return {
    ...pipeline,
    pruners: onlyPruners(pipeline.pruners, names, '--only'),
    output,
    source: { ...pipeline.source, pruners: onlyPruners(rawPruners, names, '--only'), output },
  };
}

/**
 * Pruner entries (`use`, `with`, `sizingOnly`) with every pruner not in `names` made sizing-only: the one rule
 * behind `run --only` and a bench's `arms:`. `option` names the setting in the error for an unknown name.
 * @example
 * onlyPruners([{ use: 'layer' }, { use: 'filter' }], ['filter'], '--only') // layer: sizingOnly true
 */
export function onlyPruners<P extends { use: string; sizingOnly?: boolean }>(pruners: readonly P[], names: readonly string[], option: string): P[] {
  const configured = pruners.map((p) => p.use);
  const unknown = names.filter((n) => !configured.includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new OmnipruneError(
      'E_BAD_INPUT',
      `${option} ${names.join(',') || '(empty)'}: ${unknown.length ? `"${unknown.join('", "')}" is not a pruner of this pipeline` : 'no pruner named'}`,
      {
        hint: `allowed values: ${configured.join(', ')} (comma-separated)`,
      },
    );
  }
  return pruners.map((p) => ({ ...p, sizingOnly: p.sizingOnly || !names.includes(p.use) }));
}
