import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * How to start another `omniprune` process (a bench worker): `node dist/bin.js` when running built, or node with
 * tsx's loader on `src/bin.ts` and the workspace's source condition when running from TypeScript sources (the loader
 * in the same process, not the tsx CLI, which would run it in a grandchild that signals and kill -9 do not reach).
 */
export function cliCommand(): { command: string; args: string[] } {
  const here = fileURLToPath(import.meta.url);
  const built = join(dirname(here), '..', 'bin.js');
  if (here.endsWith('.js') && existsSync(built)) return { command: process.execPath, args: [built] };
  const require = createRequire(import.meta.url);
  const tsxDir = dirname(require.resolve('tsx/package.json'));
  return {
    command: process.execPath,
    args: ['--import', pathToFileURL(join(tsxDir, 'dist', 'loader.mjs')).href, '--conditions=omniprune-src', join(dirname(here), '..', 'bin.ts')],
  };
}
