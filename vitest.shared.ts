import { defineConfig } from 'vitest/config';

/** Shared vitest settings: resolve workspace packages to their TypeScript sources. */
export default defineConfig({
  resolve: { conditions: ['omniprune-src'] },
  ssr: { resolve: { conditions: ['omniprune-src'] } },
  test: { testTimeout: 300_000, hookTimeout: 300_000, pool: 'forks' },
});
