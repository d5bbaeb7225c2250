import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Module specifiers a JS file loads at run time: static imports/exports and dynamic `import()`. */
function runtimeImports(js: string): string[] {
  const found = new Set<string>();
  for (const re of [
    /\b(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ]) {
    for (const m of js.matchAll(re)) found.add(m[1]);
  }
  return [...found];
}

describe('@omniprune/plugin-api package', () => {
  it('has zod as its only runtime dependency; TensorFlow.js is an optional peer for types', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(['zod']);
    expect(pkg.optionalDependencies).toBeUndefined();
    expect(pkg.scripts?.install).toBeUndefined();
    expect(pkg.scripts?.postinstall).toBeUndefined();
    for (const peer of Object.keys(pkg.peerDependencies ?? {})) {
      expect(peer).toMatch(/^@tensorflow\/tfjs-(core|layers)$/);
      expect(pkg.peerDependenciesMeta?.[peer]?.optional).toBe(true);
    }
  });

  it('finds runtime imports in emitted JS (the check below is not vacuous)', () => {
    expect(runtimeImports("import * as tf from '@tensorflow/tfjs-core';\nexport { z } from 'zod';\nimport './side.js';\nawait import('@x/y');")).toEqual([
      '@tensorflow/tfjs-core',
      'zod',
      './side.js',
      '@x/y',
    ]);
    expect(runtimeImports('export const x = 1;')).toEqual([]);
  });

  it('compiles to JS that imports nothing but zod and its own files, and loads where only zod is installed', { timeout: 120_000 }, async () => {
    const project = await mkdtemp(join(tmpdir(), 'plugin-api-dist-'));
    const out = join(project, 'dist');
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out], { stdio: 'pipe' });
    const files = (await readdir(out)).filter((f) => f.endsWith('.js'));
    expect(files).toContain('index.js');
    const imports = new Set<string>();
    for (const file of files) for (const spec of runtimeImports(await readFile(join(out, file), 'utf8'))) imports.add(spec);
    const external = [...imports].filter((s) => !s.startsWith('./'));
    expect(external).toEqual(['zod']);
    // the declarations still describe TensorFlow.js types (erased from the JS only)
    expect(await readFile(join(out, 'core-services.d.ts'), 'utf8')).toMatch(/from ['"]@tensorflow\/tfjs-core['"]/);

    // a folder with no TensorFlow.js anywhere up its tree: node_modules holds zod alone
    await writeFile(join(project, 'package.json'), JSON.stringify({ type: 'module' }));
    await mkdir(join(project, 'node_modules'));
    await symlink(dirname(createRequire(join(ROOT, 'package.json')).resolve('zod/package.json')), join(project, 'node_modules', 'zod'), 'dir');
    const script = `const api = await import(${JSON.stringify(pathToFileURL(join(out, 'index.js')).href)});
const p = api.definePruner({ name: 'x', description: 'x', options: api.z.object({}), create: () => ({}) });
console.log(JSON.stringify({ kind: p.kind, apiVersion: p.apiVersion, frozen: Object.isFrozen(p) }));`;
    const printed = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' });
    expect(JSON.parse(printed)).toEqual({ kind: 'pruner', apiVersion: 1, frozen: true });
  });

  it('loads in plain Node without TensorFlow.js: every runtime export is defined', async () => {
    const api = await import('../src/index.js');
    expect(Object.keys(api).sort()).toEqual([
      'CRITERION_ROLES',
      'INPUT_ERROR_CODES',
      'OmnipruneError',
      'PLUGIN_API_VERSION',
      'defineCriterion',
      'defineEvaluator',
      'defineModelFormat',
      'definePruner',
      'defineTrainer',
      'isOmnipruneError',
      'nameFilter',
      'perProposal',
      'prunePlanSchema',
      'regexOption',
      'removeBlockPlanSchema',
      'removeChannelsPlanSchema',
      'removeHeadsPlanSchema',
      'z',
    ]);
  });
});
