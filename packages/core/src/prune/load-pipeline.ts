import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { DependencyContainer } from 'tsyringe';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { formatZodIssues } from '../plugin/create-plugin.js';
import type { CriterionRole, PluginKind } from '@omniprune/plugin-api';
import { loadPluginModules, type LoadedPluginModule } from '../plugin/load-plugin-modules.js';
import { listPlugins, pluginToken } from '../plugin/plugin-container.js';
import { finalImagesSchema, pipelineBaseSchema, type PipelineBase } from './pipeline-schema.js';

/** A validated pipeline: every plugin exists and every option block parsed with its plugin's schema. */
export interface Pipeline extends PipelineBase {
  /** Absolute path of the pipeline file ('' when loaded from text). */
  readonly file: string;
  /** Directory relative paths in the pipeline are resolved against. */
  readonly baseDir: string;
}

function checkUse(
  c: DependencyContainer,
  kind: PluginKind,
  name: string,
  options: unknown,
  at: string,
  role?: CriterionRole,
  optionsAt = `${at}.with`,
): unknown {
  const plugins = listPlugins(c).filter((p) => p.kind === kind && (!role || !p.role || p.role === role));
  const plugin = plugins.find((p) => p.name === name);
  if (!plugin) {
    const names = plugins.map((p) => p.name);
    throw new OmnipruneError('E_UNKNOWN_PLUGIN', `${optionsAt === `${at}.with` ? `${at}.use` : at}: unknown ${role ?? kind} "${name}"`, {
      plugin: pluginToken(kind, name),
      hint: names.length ? `allowed values: ${names.join(', ')}` : `no ${role ?? kind} plugins are registered; add a package under plugins:`,
    });
  }
  const parsed = plugin.options.safeParse(options ?? {});
  if (!parsed.success) {
    throw new OmnipruneError('E_SCHEMA', `invalid pipeline:\n  ${formatZodIssues(parsed.error, optionsAt)}`, {
      plugin: pluginToken(kind, name),
      hint: `see \`omniprune plugins list\` for the options of ${pluginToken(kind, name)}`,
    });
  }
  return parsed.data;
}

/** Resolve and validate the criteria a pruner's options name (its definition's `criteria` slots). */
function checkNestedCriteria(c: DependencyContainer, pruner: string, options: Record<string, unknown>, at: string): void {
  const definition = listPlugins(c).find((x) => x.kind === 'pruner' && x.name === pruner);
  for (const slot of definition?.criteria ?? []) {
    const name = options[slot.option] ?? slot.defaultName;
    if (typeof name !== 'string') continue;
    checkUse(
      c,
      'criterion',
      name,
      slot.optionsKey ? options[slot.optionsKey] : undefined,
      `${at}.${slot.option}`,
      slot.role,
      slot.optionsKey ? `${at}.${slot.optionsKey}` : undefined,
    );
  }
}

/**
 * Validate a parsed YAML/JSON value as a pipeline against the plugins registered in `c`.
 * Errors name the exact path (`pruners[1].with.ratio: ...`) and the allowed values.
 * @example
 * const pipeline = validatePipeline(YAML.parse(text), container, '/abs/quickstart.yaml');
 */
export function validatePipeline(raw: unknown, c: DependencyContainer, file = ''): Pipeline {
  const parsed = pipelineBaseSchema.safeParse(raw);
  if (!parsed.success) {
    throw new OmnipruneError('E_SCHEMA', `invalid pipeline${file ? ` ${file}` : ''}:\n  ${formatZodIssues(parsed.error, '')}`, {
      hint: 'see the JSON Schema from `omniprune plugins schema` or examples/quickstart.yaml',
    });
  }
  const p = parsed.data;
  const pruners = p.pruners.map((entry, i) => {
    const options = checkUse(c, 'pruner', entry.use, entry.with, `pruners[${i}]`) as Record<string, unknown>;
    checkNestedCriteria(c, entry.use, options, `pruners[${i}].with`);
    return { use: entry.use, with: options, sizingOnly: entry.sizingOnly };
  });
  if (pruners.every((e) => e.sizingOnly)) {
    throw new OmnipruneError('E_SCHEMA', `invalid pipeline${file ? ` ${file}` : ''}:\n  pruners: every pruner is sizingOnly, so no candidate would be built`, {
      hint: 'leave sizingOnly unset on at least one pruner',
    });
  }
  const similarity = { ...p.similarity, with: checkUse(c, 'criterion', p.similarity.use, p.similarity.with, 'similarity', 'similarity') };
  if (p.similarity.split === 'validation' && !(p.data.dataset as { validation?: unknown }).validation) {
    throw new OmnipruneError('E_SCHEMA', `invalid pipeline${file ? ` ${file}` : ''}:\n  similarity.split: validation needs a validation split`, {
      hint: 'hold one out of training with data: { dataset: { ..., validation: { count: 5000 } } }',
    });
  }
  const evaluate = p.evaluate.map((entry, i) => ({ ...entry, with: checkUse(c, 'evaluator', entry.use, entry.with, `evaluate[${i}]`) }));
  checkEvaluateEntries(evaluate, p.stop.latencyReduction, file);
  checkUse(c, 'trainer', p.trainer, {}, 'trainer');
  const finetune = {
    candidate: p.finetune.candidate && (checkUse(c, 'trainer', p.trainer, p.finetune.candidate, 'finetune.candidate') as Record<string, unknown>),
    winner: p.finetune.winner && (checkUse(c, 'trainer', p.trainer, p.finetune.winner, 'finetune.winner') as Record<string, unknown>),
    final: p.finetune.final && checkFinal(c, p.trainer, p.finetune.final, file),
  };
  if ('zoo' in p.model) checkUse(c, 'trainer', p.trainer, p.model.train, 'model.train');
  const baseDir = file ? dirname(file) : process.cwd();
  return { ...p, pruners, similarity, finetune, evaluate, file, baseDir };
}

/** `finetune.final`: the trainer's options plus `images` (the recovery's training images per epoch). */
function checkFinal(c: DependencyContainer, trainer: string, raw: Record<string, unknown>, file: string): Record<string, unknown> {
  const { images, ...options } = raw;
  const parsed = finalImagesSchema.safeParse(images);
  if (!parsed.success) {
    throw new OmnipruneError('E_SCHEMA', `invalid pipeline${file ? ` ${file}` : ''}:\n  ${formatZodIssues(parsed.error, 'finetune.final.images')}`, {
      hint: 'images: all (the whole training split) or a number of images',
    });
  }
  return { ...(checkUse(c, 'trainer', trainer, options, 'finetune.final', undefined, 'finetune.final') as Record<string, unknown>), images: parsed.data };
}

/** Each evaluator once (results are keyed by name); `stop.latencyReduction` needs the latency evaluator every iteration. */
function checkEvaluateEntries(entries: readonly { use: string; every: number }[], latencyReduction: number | undefined, file: string): void {
  const invalid = (message: string, hint: string) => new OmnipruneError('E_SCHEMA', `invalid pipeline${file ? ` ${file}` : ''}:\n  ${message}`, { hint });
  const seen = new Set<string>();
  for (const [i, e] of entries.entries()) {
    if (seen.has(e.use)) throw invalid(`evaluate[${i}].use: "${e.use}" is listed twice`, 'list each evaluator once; put every setting in its with: block');
    seen.add(e.use);
  }
  const latency = entries.find((e) => e.use === 'latency');
  if (latencyReduction !== undefined && latency?.every !== 1) {
    throw invalid(
      `stop.latencyReduction needs the latency evaluator on every iteration${latency ? ` (it runs every ${latency.every})` : ''}`,
      'add evaluate: [{ use: latency }] (every: 1, the default)',
    );
  }
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
  await importListedPlugins(raw, c, file);
  return validatePipeline(raw, c, file);
}
