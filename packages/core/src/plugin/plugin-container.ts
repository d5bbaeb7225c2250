import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { PLUGIN_API_VERSION, type PluginDefinition, type PluginKind } from './define-plugin.js';

/** The plugin container type (a tsyringe container); use {@link createPluginContainer} to make one. */
export type PluginContainer = DependencyContainer;

/** Registry token of a plugin: `<kind>:<name>`, e.g. `criterion:linear-cka`. */
export function pluginToken(kind: PluginKind, name: string): string {
  return `${kind}:${name}`;
}

const INDEX = Symbol.for('omniprune.plugin-index');

/** Where a registered plugin came from: the package (or file) that provided it and that package's version. */
export interface PluginOrigin {
  readonly source: string;
  readonly version?: string;
}

interface Registration {
  readonly plugin: PluginDefinition;
  readonly origin: PluginOrigin;
}

interface IndexedContainer extends DependencyContainer {
  [INDEX]?: Map<string, Registration>;
}

/**
 * A fresh plugin container (a tsyringe child container), isolated from every other run.
 * @example
 * const c = createPluginContainer(); registerPlugin(c, plugin);
 */
export function createPluginContainer(): DependencyContainer {
  const c = rootContainer.createChildContainer() as IndexedContainer;
  c[INDEX] = new Map();
  return c;
}

function indexOf(c: DependencyContainer): Map<string, Registration> {
  const idx = (c as IndexedContainer)[INDEX];
  if (!idx) throw new OmnipruneError('E_INTERNAL', 'container was not made by createPluginContainer()');
  return idx;
}

/**
 * Register a plugin under `<kind>:<name>`. A duplicate name or an incompatible `apiVersion` is an error.
 * @example
 * registerPlugin(container, linearCkaPlugin, '@omniprune/criteria-cka');
 */
export function registerPlugin(c: DependencyContainer, plugin: PluginDefinition, source = 'unknown package', version?: string): void {
  const token = pluginToken(plugin.kind, plugin.name);
  if (plugin.apiVersion !== PLUGIN_API_VERSION) {
    throw new OmnipruneError(
      'E_BAD_INPUT',
      `plugin ${token} from ${source} targets plugin API ${plugin.apiVersion}, this core implements ${PLUGIN_API_VERSION}`,
      {
        plugin: token,
        hint: 'upgrade the plugin or @omniprune/core so their plugin API versions match',
      },
    );
  }
  const idx = indexOf(c);
  if (idx.has(token)) {
    throw new OmnipruneError('E_DUPLICATE_PLUGIN', `plugin ${token} from ${source} is already registered by ${idx.get(token)!.origin.source}`, {
      plugin: token,
      hint: 'plugin names must be unique per kind; rename one of them',
    });
  }
  idx.set(token, { plugin, origin: { source, ...(version === undefined ? {} : { version }) } });
  c.register(token, { useValue: plugin });
}

/**
 * The plugin registered as `<kind>:<name>`; unknown names are an error listing the registered ones.
 * @example
 * const cka = resolvePlugin(container, 'criterion', 'linear-cka');
 */
export function resolvePlugin<K extends PluginKind>(c: DependencyContainer, kind: K, name: string): PluginDefinition<K> {
  const token = pluginToken(kind, name);
  if (!c.isRegistered(token)) {
    const known = listPlugins(c)
      .filter((p) => p.kind === kind)
      .map((p) => p.name);
    throw new OmnipruneError('E_UNKNOWN_PLUGIN', `unknown ${kind} "${name}"`, {
      plugin: token,
      hint: known.length ? `registered ${kind}s: ${known.join(', ')}` : `no ${kind} plugins are registered`,
    });
  }
  return c.resolve<PluginDefinition<K>>(token);
}

/** Every registered plugin, in registration order. */
export function listPlugins(c: DependencyContainer): PluginDefinition[] {
  return [...indexOf(c).values()].map((r) => r.plugin);
}

/**
 * The package (and version) that registered `<kind>:<name>`, or undefined when nothing did.
 * @example
 * pluginOrigin(container, 'criterion', 'linear-cka') // { source: '@omniprune/criteria-cka', version: '0.1.0' }
 */
export function pluginOrigin(c: DependencyContainer, kind: PluginKind, name: string): PluginOrigin | undefined {
  return indexOf(c).get(pluginToken(kind, name))?.origin;
}
