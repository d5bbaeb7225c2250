import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { DependencyContainer } from 'tsyringe';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { loadPluginModules, type LoadedPluginModule } from '../plugin/load-plugin-modules.js';
import { pipelineError } from './pipeline-errors.js';
import { absolutePipelinePaths } from './pipeline-paths.js';
import { pipelineSchemaOf, type PipelineBase } from './pipeline-schema.js';
import { stopPipelineProblem, stopRulesOf } from './stop-rules.js';

/** A validated pipeline: every plugin exists and every option block parsed, once, with its plugin's schema. */
export interface Pipeline extends PipelineBase {
  /** Absolute path of the pipeline file ('' when loaded from text). */
  readonly file: string;
  /** Directory relative paths in the pipeline are resolved against. */
  readonly baseDir: string;
  /**
   * The pipeline as written (parsed YAML), its paths made absolute: what travels to another process (a queue worker,
   * a bench cell) to be validated there again. Never the parsed options, which plugins may have transformed.
   */
  readonly source: Record<string, unknown>;
}

/**
 * Validate a parsed YAML/JSON value as a pipeline against the plugins registered in `c`, with the one schema
 * composed from them ({@link pipelineSchemaOf}). Relative paths are resolved against `file`'s folder first. Errors
 * name the exact path (`pruners[1].with.ratio: ...`) and the allowed values.
 * @example
 * const pipeline = validatePipeline(YAML.parse(text), container, '/abs/quickstart.yaml');
 */
export function validatePipeline(raw: unknown, c: DependencyContainer, file = ''): Pipeline {
  const baseDir = file ? dirname(file) : process.cwd();
  const source =
    raw && typeof raw === 'object' && !Array.isArray(raw) ? absolutePipelinePaths(raw as Record<string, unknown>, join(baseDir, 'pipeline.yaml')) : {};
  const parsed = pipelineSchemaOf(c).safeParse(raw && typeof raw === 'object' && !Array.isArray(raw) ? source : raw);
  if (!parsed.success) throw pipelineError(parsed.error, source, file);
  const p = parsed.data;
  const invalid = (message: string, hint: string) => new OmnipruneError('E_SCHEMA', `invalid pipeline${file ? ` ${file}` : ''}:\n  ${message}`, { hint });
  if (p.pruners.every((e) => e.sizingOnly))
    throw invalid('pruners: every pruner is sizingOnly, so no candidate would be built', 'leave sizingOnly unset on at least one pruner');
  if (p.similarity.split === 'validation' && !(p.data.dataset as { validation?: unknown }).validation) {
    throw invalid(
      'similarity.split: validation needs a validation split',
      'hold one out of training with data: { dataset: { ..., validation: { count: 5000 } } }',
    );
  }
  const twice = p.evaluate.findIndex((e, i) => p.evaluate.findIndex((f) => f.use === e.use) !== i);
  if (twice >= 0)
    throw invalid(`evaluate[${twice}].use: "${p.evaluate[twice].use}" is listed twice`, 'list each evaluator once; put every setting in its with: block');
  const problem = stopPipelineProblem(stopRulesOf(c), p.stop, p);
  if (problem) throw invalid(problem.message, problem.hint);
  return { ...p, file, baseDir, source };
}

/**
 * The run folder of a pipeline: `out` when given (`--out`), else its `output` resolved against the pipeline's folder.
 * @example
 * runDirOf(pipeline) // '/work/p/runs/quickstart' for output: runs/quickstart in /work/p/quickstart.yaml
 */
export function runDirOf(pipeline: Pick<Pipeline, 'baseDir' | 'output'>, out?: string): string {
  return out ? resolve(out) : resolve(pipeline.baseDir, pipeline.output);
}

/** Resolve a pipeline-relative path. */
export function resolveInPipeline(pipeline: Pick<Pipeline, 'baseDir'>, path: string): string {
  return isAbsolute(path) ? path : resolve(pipeline.baseDir, path);
}

/** Parse YAML text; syntax errors become E_BAD_YAML with line and column. */
export function parsePipelineYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const where = e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : 'unknown position';
    throw new OmnipruneError('E_BAD_YAML', `${file} is not valid YAML (${where}): ${e.message.split('\n')[0]}`, {
      hint: 'fix the YAML syntax; indentation uses spaces',
    });
  }
  return doc.toJS();
}

async function readPipelineFile(path: string): Promise<{ file: string; raw: unknown }> {
  const file = resolve(path);
  const text = await readFile(file, 'utf8').catch((cause) => {
    throw new OmnipruneError('E_FILE_NOT_FOUND', `no pipeline file at ${path}`, { cause, hint: 'check the path; examples live in examples/' });
  });
  return { file, raw: parsePipelineYaml(text, path) };
}

/** Load the modules a parsed pipeline lists under `plugins:` (a malformed list is left to validation). */
function importListedPlugins(raw: unknown, c: DependencyContainer, file: string): Promise<LoadedPluginModule[]> {
  const specs = raw && typeof raw === 'object' ? (raw as { plugins?: unknown }).plugins : undefined;
  if (!Array.isArray(specs) || !specs.every((s) => typeof s === 'string' && s !== '')) return Promise.resolve([]);
  return loadPluginModules(c, specs as string[], dirname(file));
}

/**
 * Read a pipeline file and register the plugins it lists under `plugins:` into `c`, without validating the rest
 * (for `plugins list --pipeline`).
 * @example
 * const modules = await loadPipelinePlugins('pipeline.yaml', container); // [{ source: 'omniprune-plugin-template', ... }]
 */
export async function loadPipelinePlugins(path: string, c: DependencyContainer): Promise<LoadedPluginModule[]> {
  const { file, raw } = await readPipelineFile(path);
  return importListedPlugins(raw, c, file);
}

/**
 * Read, parse and validate a pipeline file. Modules listed under `plugins:` are imported (resolved from the
 * pipeline file's folder) and registered into `c` first, so their options are validated like the built-ins'.
 * @example
 * const pipeline = await loadPipeline('examples/quickstart.yaml', container);
 */
export async function loadPipeline(path: string, c: DependencyContainer): Promise<Pipeline> {
  const { file, raw } = await readPipelineFile(path);
  return loadPipelineSource(raw, c, file);
}

/**
 * Validate a pipeline held in memory (a {@link Pipeline.source} sent to another process) as {@link loadPipeline}
 * validates a file: its `plugins:` imported first; `file` is where relative paths would resolve from.
 * @example
 * const pipeline = await loadPipelineSource(job.pipeline, container, join(root, 'pipeline.yaml'));
 */
export async function loadPipelineSource(raw: unknown, c: DependencyContainer, file: string): Promise<Pipeline> {
  await importListedPlugins(raw, c, file);
  return validatePipeline(raw, c, file);
}
