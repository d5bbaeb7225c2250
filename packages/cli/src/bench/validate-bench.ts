import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OmnipruneError, listPlugins, loadPipelinePlugins, parsePipelineYaml, validatePipeline } from '@omniprune/core';
import { builtinContainer } from '../shared/plugin-registry.js';
import type { BenchSpec } from './bench-spec.js';
import { expandCells, type BenchCell } from './cells.js';

/** True when a parsed YAML file is a bench file (a base `pipeline:` file and `metrics:`), not a pipeline. */
export function isBenchFile(raw: unknown): boolean {
  return !!raw && typeof raw === 'object' && typeof (raw as { pipeline?: unknown }).pipeline === 'string' && 'metrics' in raw;
}

/**
 * Every cell of a bench, each validated as the pipeline it will run (the base pipeline's `plugins:` loaded first), so a
 * bench fails before any work when one cell could not run. Errors name the cell's `pipeline.yaml` under `outDir`.
 * @example
 * const cells = await validatedCells(spec, spec.outDir);
 */
export async function validatedCells(spec: BenchSpec, outDir: string): Promise<BenchCell[]> {
  const baseText = await readFile(spec.pipelineFile, 'utf8').catch((cause) => {
    throw new OmnipruneError('E_FILE_NOT_FOUND', `bench ${spec.file}: no base pipeline at ${spec.pipelineFile}`, {
      cause,
      hint: 'pipeline: is relative to the bench file',
    });
  });
  const cells = expandCells(spec, parsePipelineYaml(baseText, spec.pipelineFile) as Record<string, unknown>);
  const container = builtinContainer();
  await loadPipelinePlugins(spec.pipelineFile, container);
  for (const cell of cells) validatePipeline(cell.pipeline, container, join(outDir, 'cells', cell.id, 'pipeline.yaml'));
  checkStudyCriteria(spec, container);
  return cells;
}

/** `study.blockCriteria` names registered block-importance criteria (the oracle scores them after its fine-tunes). */
function checkStudyCriteria(spec: BenchSpec, container: ReturnType<typeof builtinContainer>): void {
  const allowed = listPlugins(container)
    .filter((p) => p.kind === 'criterion' && p.role === 'block-importance')
    .map((p) => p.name);
  const unknown = spec.study.blockCriteria.findIndex((name) => !allowed.includes(name));
  if (unknown < 0) return;
  const name = spec.study.blockCriteria[unknown];
  throw new OmnipruneError(
    'E_UNKNOWN_PLUGIN',
    `invalid bench file ${spec.file}:\n  study.blockCriteria[${unknown}]: unknown block-importance criterion "${name}"`,
    {
      hint: `allowed values: ${allowed.join(', ')}`,
    },
  );
}
