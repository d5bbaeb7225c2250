import type { CoreServices } from '@omniprune/plugin-api';
import { coreServices } from './core-services.js';
import type { PluginContext } from './define-plugin.js';

/** What a caller gives core to build a plugin's context: `log` and `seed`; `services` defaults to core's own. */
export type HostContext = Omit<PluginContext, 'create' | 'services'> & { readonly services?: CoreServices };

/**
 * A plugin's context as core hands it over: `ctx` with `services` filled in (core's {@link coreServices} unless
 * `ctx` brings its own). Every place core builds a context goes through it, so `ctx.services` is always there.
 * @example
 * const instance = await definition.create(options, pluginContext({ log: () => {}, seed: 1 }));
 */
export function pluginContext<C extends HostContext>(ctx: C): C & { readonly services: CoreServices } {
  return { ...ctx, services: ctx.services ?? coreServices };
}

/**
 * A context for creating a plugin by hand, outside a container (tests, scripts): quiet `log`, `seed` 1, core's
 * services, no `create` (a pruner falls back to its built-in criteria).
 * @example
 * const criterion = await klCriterion.create(klCriterion.options.parse({}), testPluginContext());
 */
export function testPluginContext(overrides: Partial<HostContext> = {}): PluginContext & { readonly services: CoreServices } {
  return pluginContext({ log: () => {}, seed: 1, ...overrides });
}
