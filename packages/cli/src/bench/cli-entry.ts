import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How to start another `omniprune` process (a bench worker): `node dist/bin.js` when running built, or tsx on
 * `src/bin.ts` with the workspace's source condition when running from TypeScript sources.
 */
export function cliCommand(): { command: string; args: string[] } {
  const here = fileURLToPath(import.meta.url);
  const built = join(dirname(here), '..', 'bin.js');
  if (here.endsWith('.js') && existsSync(built)) return { command: process.execPath, args: [built] };
  const require = createRequire(import.meta.url);
  const tsxDir = dirname(require.resolve('tsx/package.json'));
  const tsxBin = (JSON.parse(readFileSync(join(tsxDir, 'package.json'), 'utf8')) as { bin: string | Record<string, string> }).bin;
  const tsxCli = join(tsxDir, typeof tsxBin === 'string' ? tsxBin : tsxBin.tsx);
  return { command: process.execPath, args: [tsxCli, '--conditions=omniprune-src', join(dirname(here), '..', 'bin.ts')] };
}
