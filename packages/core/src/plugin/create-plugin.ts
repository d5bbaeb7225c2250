import type { DependencyContainer } from 'tsyringe';
import type { z } from 'zod';
import { OmnipruneError, isOmnipruneError } from '../errors/omniprune-error.js';
import type { PluginContext, PluginKind } from './define-plugin.js';
import { pluginContext, type HostContext } from './plugin-context.js';
import { namePluginErrors } from './name-plugin-errors.js';
import { pluginOrigin, pluginToken, resolvePlugin } from './plugin-container.js';

/** Format zod issues as `path: message` lines, prefixed with where the options came from. */
export function formatZodIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((i) => {
      const path = [prefix, ...i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('').replace(/^\./, '');
      return `${path || '(root)'}: ${i.message}`;
    })
    .join('\n  ');
}

/**
 * Resolve a plugin, validate `options` with its schema, and create an instance. Errors name the plugin and
 * the option path (`at`, e.g. `pruners[0].with`).
 * @example
 * const metric = await createPlugin(container, 'criterion', 'linear-cka', {}, ctx, 'similarity.with');
 */
export async function createPlugin<T = unknown>(
  container: DependencyContainer,
  kind: PluginKind,
  name: string,
  options: unknown,
  ctx: HostContext,
  at = 'with',
): Promise<T> {
  const plugin = resolvePlugin(container, kind, name);
  const parsed = plugin.options.safeParse(options ?? {});
  const token = pluginToken(kind, name);
  if (!parsed.success) {
    throw new OmnipruneError('E_SCHEMA', `invalid options for ${token}:\n  ${formatZodIssues(parsed.error, at)}`, {
      plugin: token,
      hint: 'see `omniprune plugins list` for the options each plugin takes',
    });
  }
  return instantiatePlugin<T>(container, kind, name, parsed.data, ctx, at);
}

/**
 * Create an instance from options its schema already parsed (a validated pipeline's `with:` blocks): they are handed
 * to the plugin as they are, never parsed a second time (a schema with `.transform()` sees its input only once).
 * @example
 * const pruner = await instantiatePlugin(container, 'pruner', entry.use, entry.with, ctx, 'pruners[0].with');
 */
export async function instantiatePlugin<T = unknown>(
  container: DependencyContainer,
  kind: PluginKind,
  name: string,
  parsedOptions: unknown,
  ctx: HostContext,
  at = 'with',
): Promise<T> {
  const plugin = resolvePlugin(container, kind, name);
  const token = pluginToken(kind, name);
  const fullCtx: PluginContext = {
    ...pluginContext(ctx),
    create: <U>(k: PluginKind, n: string, o?: unknown) => createPlugin<U>(container, k, n, o, ctx, `${at}(${k}:${n})`),
  };
  try {
    return namePluginErrors((await plugin.create(parsedOptions, fullCtx)) as T, token);
  } catch (cause) {
    if (isOmnipruneError(cause)) throw cause;
    const origin = pluginOrigin(container, kind, name);
    const from = origin ? ` (from ${origin.source}${origin.version ? `@${origin.version}` : ''})` : '';
    throw new OmnipruneError('E_PLUGIN_FAILED', `plugin ${token}${from} failed to start: ${(cause as Error)?.message ?? String(cause)}`, {
      plugin: token,
      cause,
      hint: `check its options at ${at}, or report this to the plugin's author`,
    });
  }
}
