import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DependencyContainer } from 'tsyringe';
import { OmnipruneError } from '../errors/omniprune-error.js';
import type { PluginDefinition, PluginKind } from './define-plugin.js';
import { registerPlugin } from './plugin-container.js';

/** One module named under a pipeline's `plugins:` and what it registered. */
export interface LoadedPluginModule {
  /** The entry as written in the pipeline. */
  readonly spec: string;
  /** Package name (or the file path for a relative entry), shown by `plugins list`. */
  readonly source: string;
  readonly version?: string;
  /** Absolute path of the imported file. */
  readonly entry: string;
  readonly plugins: readonly PluginDefinition[];
}

const KINDS: readonly PluginKind[] = ['pruner', 'criterion', 'trainer', 'format', 'evaluator'];
const CONDITIONS = ['import', 'node', 'default'];
const LOADED = Symbol.for('omniprune.loaded-plugin-modules');

interface PackageJson {
  name?: string;
  version?: string;
  exports?: unknown;
  module?: string;
  main?: string;
}

function loadError(spec: string, message: string, hint: string, cause?: unknown): OmnipruneError {
  return new OmnipruneError('E_PLUGIN_LOAD', `plugin package "${spec}": ${message}`, { hint, cause });
}

function readPackageJson(dir: string, spec: string): PackageJson {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch (cause) {
    throw loadError(spec, `cannot read ${join(dir, 'package.json')}`, 'reinstall the package', cause);
  }
}

/** Pick a target from a package.json `exports` value for `subpath` with import conditions. */
function exportTarget(exports: unknown, subpath: string): string | undefined {
  const pick = (value: unknown): string | undefined => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map(pick).find((v) => v !== undefined);
    if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        const target = CONDITIONS.includes(key) ? pick(v) : undefined;
        if (target !== undefined) return target;
      }
    }
    return undefined;
  };
  if (typeof exports === 'string' || Array.isArray(exports)) return subpath === '.' ? pick(exports) : undefined;
  if (!exports || typeof exports !== 'object') return undefined;
  const keys = Object.keys(exports);
  if (keys.length > 0 && keys.every((k) => !k.startsWith('.'))) return subpath === '.' ? pick(exports) : undefined;
  return pick((exports as Record<string, unknown>)[subpath]);
}

/** The file a package directory exposes as `subpath` (`.` = its main entry). */
function packageEntry(dir: string, subpath: string, spec: string): { entry: string; pkg: PackageJson } {
  const pkg = readPackageJson(dir, spec);
  const target = pkg.exports !== undefined ? exportTarget(pkg.exports, subpath) : subpath === '.' ? (pkg.module ?? pkg.main ?? 'index.js') : subpath;
  if (!target) {
    throw loadError(
      spec,
      `${join(dir, 'package.json')} exports nothing for "${subpath}" under the import conditions`,
      'the package must export an ES module entry ("exports": { ".": { "default": "./dist/index.js" } })',
    );
  }
  const entry = resolve(dir, target);
  if (!existsSync(entry)) throw loadError(spec, `its entry ${entry} does not exist`, 'build the package before using it (npm run build), or reinstall it');
  return { entry, pkg };
}

function splitPackageSpec(spec: string): { name: string; subpath: string } {
  const parts = spec.split('/');
  const n = spec.startsWith('@') ? 2 : 1;
  const rest = parts.slice(n).join('/');
  return { name: parts.slice(0, n).join('/'), subpath: rest ? `./${rest}` : '.' };
}

/**
 * Where a `plugins:` entry points: a relative/absolute path (a file, or a package directory) resolved against
 * `baseDir`, or a package name looked up in the `node_modules` folders from `baseDir` upwards.
 */
export function resolvePluginModule(spec: string, baseDir: string): { entry: string; source: string; version?: string } {
  if (spec.startsWith('.') || isAbsolute(spec)) {
    const path = resolve(baseDir, spec);
    if (!existsSync(path)) throw loadError(spec, `no file or folder at ${path}`, 'paths under plugins: are relative to the pipeline file');
    if (!statSync(path).isDirectory()) return { entry: path, source: spec };
    const { entry, pkg } = packageEntry(path, '.', spec);
    return { entry, source: pkg.name ?? spec, version: pkg.version };
  }
  const { name, subpath } = splitPackageSpec(spec);
  const searched: string[] = [];
  for (let dir = resolve(baseDir); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    searched.push(candidate);
    if (existsSync(join(candidate, 'package.json'))) {
      const { entry, pkg } = packageEntry(candidate, subpath, spec);
      return { entry, source: spec, version: pkg.version };
    }
    if (dirname(dir) === dir) break;
  }
  throw loadError(
    spec,
    `not installed (looked in ${searched.slice(0, 3).join(', ')}${searched.length > 3 ? ', ...' : ''})`,
    `install it next to the pipeline (npm install ${name}) or give a relative path`,
  );
}

function looksLikePlugin(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && 'kind' in value && 'name' in value && KINDS.includes((value as { kind: PluginKind }).kind);
}

/** Why `value` is not a usable plugin definition, or undefined when it is one. */
function definitionProblem(value: Record<string, unknown>): string | undefined {
  if (typeof value.name !== 'string' || value.name === '') return 'its name is not a non-empty string';
  if (typeof value.create !== 'function') return 'it has no create() function';
  const options = value.options as { safeParse?: unknown } | undefined;
  if (!options || typeof options.safeParse !== 'function') return 'its options are not a zod schema';
  if (typeof value.apiVersion !== 'number') return 'it has no apiVersion (define it with definePruner/defineCriterion/...)';
  return undefined;
}

/**
 * The plugin definitions a module exports: `export const plugins = [...]`, a default export (one plugin or an
 * array), and any named export that is a plugin. An export that looks like a plugin but is incomplete is an error.
 */
export function pluginsOfModule(mod: Record<string, unknown>, spec: string): PluginDefinition[] {
  const found = new Set<PluginDefinition>();
  for (const [exportName, value] of Object.entries(mod)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (!looksLikePlugin(item)) continue;
      const problem = definitionProblem(item);
      if (problem)
        throw loadError(
          spec,
          `export "${exportName}" (${String(item.kind)} "${String(item.name)}") is not a valid plugin: ${problem}`,
          'create plugins with definePruner/defineCriterion/defineTrainer/defineEvaluator/defineModelFormat from @omniprune/plugin-api',
        );
      found.add(item as unknown as PluginDefinition);
    }
  }
  if (found.size === 0) {
    throw loadError(
      spec,
      `exports no omniprune plugins (exports: ${Object.keys(mod).join(', ') || 'none'})`,
      'export the definitions, e.g. `export const plugins = [myPruner, myCriterion]`',
    );
  }
  return [...found];
}

/** The package a module-not-found error names (`@omniprune/plugin-api` of "Cannot find package '@omniprune/plugin-api' ..."). */
function missingPackage(cause: unknown): string | undefined {
  const error = cause as { code?: string; message?: string };
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') return undefined;
  return /Cannot find (?:package|module) '((?:@[^/']+\/)?[^/']+)/.exec(error.message ?? '')?.[1];
}

/**
 * The error of a plugin module that failed to import: a dependency it cannot find (typically its peer
 * `@omniprune/plugin-api`, which npm does not install with it everywhere) says which package to install; any other
 * failure names the file it was loaded from.
 */
function importError(spec: string, entry: string, cause: unknown): OmnipruneError {
  const message = `threw while being imported: ${(cause as Error)?.message ?? String(cause)}`;
  const missing = missingPackage(cause);
  if (missing && missing !== spec) {
    const peer = missing === '@omniprune/plugin-api' ? ' (its peer dependency: the plugin API it is written against)' : '';
    return loadError(spec, message, `install ${missing}${peer} beside it: npm install ${missing}`, cause);
  }
  return loadError(spec, message, `fix or update the package; it was loaded from ${entry}`, cause);
}

function loadedModules(c: DependencyContainer): Map<string, LoadedPluginModule> {
  const holder = c as DependencyContainer & { [LOADED]?: Map<string, LoadedPluginModule> };
  holder[LOADED] ??= new Map();
  return holder[LOADED];
}

/**
 * Import each module named under a pipeline's `plugins:` (resolved from `baseDir`) and register every plugin
 * it exports in `c`. A module already loaded into `c` is skipped. Errors (not installed, throws on import,
 * exports nothing, invalid or duplicate plugin, API version mismatch) name the package.
 * @example
 * await loadPluginModules(container, ['omniprune-plugin-template', './my-plugin.js'], dirname(pipelineFile));
 */
export async function loadPluginModules(c: DependencyContainer, specs: readonly string[], baseDir: string): Promise<LoadedPluginModule[]> {
  const loaded = loadedModules(c);
  const result: LoadedPluginModule[] = [];
  for (const spec of specs) {
    const { entry, source, version } = resolvePluginModule(spec, baseDir);
    const known = loaded.get(entry);
    if (known) {
      result.push(known);
      continue;
    }
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
    } catch (cause) {
      throw importError(spec, entry, cause);
    }
    const plugins = pluginsOfModule(mod, spec);
    for (const plugin of plugins) registerPlugin(c, plugin, source, version);
    const record: LoadedPluginModule = { spec, source, entry, plugins, ...(version === undefined ? {} : { version }) };
    loaded.set(entry, record);
    result.push(record);
  }
  return result;
}
