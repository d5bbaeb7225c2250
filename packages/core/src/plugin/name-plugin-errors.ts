import { isOmnipruneError, OmnipruneError } from '../errors/omniprune-error.js';

/** `cause` as an error naming the plugin `token` and its method `call` (aborts and plugin-named errors unchanged). */
function named(cause: unknown, token: string, call: string): unknown {
  if ((cause as Error)?.name === 'AbortError') return cause;
  if (isOmnipruneError(cause)) {
    if (cause.plugin) return cause;
    return new OmnipruneError(cause.code, cause.message.split('\n  hint: ')[0], { plugin: token, hint: cause.hint, cause });
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return new OmnipruneError('E_PLUGIN_FAILED', `${call} failed: ${message}`, {
    plugin: token,
    cause,
    hint: "the plugin threw an unexpected error; OMNIPRUNE_DEBUG=1 prints its stack; report it to the plugin's author",
  });
}

/**
 * The plugin instance with every method wrapped so that what it throws (or rejects with) names the plugin: an
 * `OmnipruneError` without a plugin gets `token`, any other error becomes `E_PLUGIN_FAILED` naming the plugin and the
 * method (`[pruner:filter] propose failed: ...`). Sync methods stay sync; other fields read through to the instance
 * (its prototype), which may be frozen. Instances that are not objects (a trainer factory function) are returned as is.
 * @example
 * const pruner = namePluginErrors(await plugin.create(options, ctx), 'pruner:filter');
 */
export function namePluginErrors<T>(instance: T, token: string): T {
  if (!instance || typeof instance !== 'object') return instance;
  const target = instance as Record<string, unknown>;
  const wrapped = Object.create(target) as Record<string, unknown>;
  for (let o: object | null = target; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      const value = target[key];
      if (key === 'constructor' || typeof value !== 'function' || Object.hasOwn(wrapped, key)) continue;
      Object.defineProperty(wrapped, key, {
        enumerable: true,
        value(...args: unknown[]) {
          let result: unknown;
          try {
            result = (value as (...a: unknown[]) => unknown).apply(target, args);
          } catch (cause) {
            throw named(cause, token, key);
          }
          return result instanceof Promise
            ? result.catch((cause: unknown) => {
                throw named(cause, token, key);
              })
            : result;
        },
      });
    }
  }
  return wrapped as T;
}
