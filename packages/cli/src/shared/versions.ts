import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest `rel` above `from` (Node's node_modules lookup), or undefined. */
function findUp(from: string, rel: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, rel))) return join(dir, rel);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Versions of this CLI and of every `@omniprune/*` package it depends on, as installed (read from their
 * package.json through node_modules, so it works from sources and from a build). A queue study records them; workers
 * with other versions refuse its jobs.
 * @example
 * omnipruneVersions() // { '@omniprune/cli': '0.1.0', '@omniprune/core': '0.1.0', ... }
 */
export function omnipruneVersions(): Record<string, string> {
  const cliPackage = findUp(dirname(fileURLToPath(import.meta.url)), 'package.json')!;
  const pkg = JSON.parse(readFileSync(cliPackage, 'utf8')) as { name: string; version: string; dependencies?: Record<string, string> };
  const out: Record<string, string> = { [pkg.name]: pkg.version };
  for (const dep of Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@omniprune/'))) {
    const file = findUp(dirname(cliPackage), join('node_modules', dep, 'package.json'));
    out[dep] = file ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : 'missing';
  }
  return out;
}
