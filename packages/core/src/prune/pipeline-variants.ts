import { OmnipruneError } from '../errors/omniprune-error.js';
import type { Pipeline } from './load-pipeline.js';

/**
 * The same pipeline restricted to some of its pruners: the fair baseline (layer-only, filter-only) of an
 * all-at-once pipeline, identical in everything else. Its default output directory gets a `-only-<names>` suffix
 * so it never resumes the full pipeline's run.
 * @example
 * const layerOnly = restrictPruners(pipeline, ['layer']);
 */
export function restrictPruners(pipeline: Pipeline, names: readonly string[]): Pipeline {
  const configured = pipeline.pruners.map((p) => p.use);
  const unknown = names.filter((n) => !configured.includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new OmnipruneError(
      'E_BAD_INPUT',
      `--only ${names.join(',') || '(empty)'}: ${unknown.length ? `"${unknown.join('", "')}" is not a pruner of this pipeline` : 'no pruner named'}`,
      {
        hint: `allowed values: ${configured.join(', ')} (comma-separated)`,
      },
    );
  }
  return {
    ...pipeline,
    pruners: pipeline.pruners.filter((p) => names.includes(p.use)),
    output: `${pipeline.output.replace(/\/+$/, '')}-only-${names.join('-')}`,
  };
}
