import { beforeAll, beforeEach } from 'vitest';
import { loadNativeAddon } from '../src/index.js';

/** Set by `.ci/run`: the addon must be built and load there, so a suite that would skip fails instead. */
export const REQUIRE_NATIVE_ENV = 'OMNIPRUNE_REQUIRE_NATIVE';

/**
 * Why the native addon cannot be used here (not built: no g++ or libdnnl-dev at install; `OMNIPRUNE_SKIP_NATIVE`
 * set; fails to load), or undefined when it can.
 * @example
 * nativeUnavailable() // 'native addon not built (.../omniprune_native.node missing; install g++ and libdnnl-dev, ...)'
 */
export function nativeUnavailable(): string | undefined {
  const addon = loadNativeAddon();
  return addon instanceof Error ? addon.message : undefined;
}

/**
 * Register file-level hooks for a suite that needs the addon: `setup` runs once when the addon is available. When it
 * is not, every test of the file is skipped with the reason (printed once, and shown by the verbose reporter), as on
 * a machine without libdnnl-dev; with `OMNIPRUNE_REQUIRE_NATIVE` set (CI) the suite fails with the reason instead.
 * @example
 * useNativeAddon(async () => { await tf.setBackend('wasm'); enableNativeKernels({ threads: 2 }); });
 */
export function useNativeAddon(setup: () => Promise<void> | void): void {
  const reason = nativeUnavailable();
  const required = Boolean(process.env[REQUIRE_NATIVE_ENV]);
  beforeAll(async () => {
    if (!reason) await setup();
    else if (!required) console.warn(`[skip] @omniprune/backend-native: ${reason}`);
  });
  beforeEach((ctx) => {
    if (!reason) return;
    if (required) {
      throw new Error(
        `${reason}; ${REQUIRE_NATIVE_ENV} is set, so the native kernel suites must run, not skip (install g++ and libdnnl-dev before pnpm install)`,
      );
    }
    ctx.skip(`native addon unavailable: ${reason}`);
  });
}
