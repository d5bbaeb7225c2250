import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { RunReport } from '@omniprune/core';
import { tinyPipeline, writeTinyIdx } from './pipeline-fixtures.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/**
 * What a stranger installs: the CLI, everything it depends on, and the template plugin. Not `@omniprune/backend-native`:
 * it is an optional dependency of core (its install compiles C++), and the round trip must work without it.
 */
const PACKED = [
  'packages/plugin-api',
  'packages/core',
  'packages/criteria-cka',
  'packages/criteria-similarity',
  'packages/onnx',
  'packages/keras',
  'packages/pruner-layer',
  'packages/pruner-filter',
  'packages/pruner-head',
  'packages/evaluators',
  'packages/queue',
  'packages/cli',
  'examples/plugin-template',
];

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
}

/**
 * The published path, outside the workspace: `pnpm pack` the packages, `npm install` the tarballs into an empty
 * project (no workspace links), and run a pipeline that names the template plugin by package name.
 */
describe('published plugin round trip', () => {
  it('installs packed tarballs with npm and runs a pipeline using omniprune-plugin-template by name', { timeout: 900_000 }, async () => {
    run('pnpm', ['--filter', './packages/*', '--filter', 'omniprune-plugin-template', 'run', 'build'], ROOT);
    const work = await mkdtemp(join(tmpdir(), 'omniprune-roundtrip-'));
    const tarballs = join(work, 'tarballs');
    await mkdir(tarballs);
    for (const pkg of PACKED) run('pnpm', ['pack', '--pack-destination', tarballs], join(ROOT, pkg));
    const files = (await readdir(tarballs)).filter((f) => f.endsWith('.tgz'));
    expect(files).toHaveLength(PACKED.length);

    const project = join(work, 'project');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'stranger', private: true, type: 'module' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=optional', ...files.map((f) => join(tarballs, f))], project);
    const installed = JSON.parse(await readFile(join(project, 'node_modules/omniprune-plugin-template/package.json'), 'utf8'));
    expect(installed.peerDependencies).toEqual({ '@omniprune/plugin-api': '^0.1.0' });
    const core = JSON.parse(await readFile(join(project, 'node_modules/@omniprune/core/package.json'), 'utf8'));
    expect(core.optionalDependencies['@omniprune/backend-native']).toBe('0.1.0');
    expect(existsSync(join(project, 'node_modules/@omniprune/backend-native'))).toBe(false);

    await writeTinyIdx(join(project, 'data'), 60, 40);
    const pipeline = tinyPipeline(project, {
      plugins: ['omniprune-plugin-template'],
      model: { zoo: 'resnet20', train: { epochs: 1, batchSize: 30, lr: 0.05 } },
      pruners: [
        { use: 'fpgm', with: { ratio: 0.25 } },
        { use: 'filter', with: { criterion: 'taylor', criterionOptions: { samplesPerClass: 2 } } },
      ],
      finetune: {},
      stop: { maxIterations: 2 },
    });
    await writeFile(join(project, 'pipeline.yaml'), stringify(pipeline));
    const bin = join(project, 'node_modules/.bin/omniprune');

    // backend auto without @omniprune/backend-native installed: native is skipped with its reason, wasm is used
    const env = { ...process.env, OMNIPRUNE_WASM_THREADS: '1', OMNIPRUNE_BACKEND: '', OMNIPRUNE_SKIP_NATIVE: '' };
    const inspect = spawnSync(bin, ['inspect', '--zoo', 'resnet20', '--input-shape', '8,8,1', '--classes', '10'], { cwd: project, encoding: 'utf8', env });
    expect(inspect.status, inspect.stderr).toBe(0);
    expect(inspect.stderr).toMatch(/^backend: wasm, 1 thread \(.*native unavailable: package not installed\)$/m);

    const list = spawnSync(bin, ['plugins', 'list', '--pipeline', 'pipeline.yaml'], { cwd: project, encoding: 'utf8' });
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/pruner:fpgm {2}\(omniprune-plugin-template@0\.1\.0\)/);
    expect(list.stdout).toMatch(/criterion:taylor \[channel-importance\] {2}\(omniprune-plugin-template@0\.1\.0\)/);

    const result = spawnSync(bin, ['run', 'pipeline.yaml'], { cwd: project, encoding: 'utf8', env: { ...process.env, OMNIPRUNE_WASM_THREADS: '1' } });
    expect(result.stderr).toMatch(/backend: wasm/);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/taylor: loss gradients on 20 training images/);
    const report = JSON.parse(await readFile(join(project, 'run', 'report.json'), 'utf8')) as RunReport;
    expect(report.iterations).toHaveLength(2);
    for (const iteration of report.iterations) {
      expect(iteration.candidates.map((c) => c.pruner)).toEqual(['fpgm', 'filter']);
    }
    expect(report.iterations[0].candidates[0].summary).toMatch(/\(fpgm\)$/);
    expect(report.final!.flopsReduction).toBeGreaterThan(0);
  });
});
