import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPlugin, createPluginContainer, listPlugins, loadPipeline, loadPluginModules, pluginOrigin, registerPlugin } from '../../src/index.js';
import { defineCriterion, definePruner } from '@omniprune/plugin-api';
import { sgdTrainerPlugin } from '../../src/train/index.js';

const ZOD = resolve(dirname(fileURLToPath(import.meta.url)), '../../node_modules/zod');

/** A plugin module's source: one criterion named `name` whose create() runs `body`. */
function criterionModule(name: string, body = 'return { role: "similarity", name: "' + name + '", similarity: () => 0.5 };', apiVersion = 1): string {
  return `import { z } from 'zod';
export const plugins = [{
  apiVersion: ${apiVersion}, kind: 'criterion', name: '${name}', role: 'similarity', description: 'test',
  options: z.strictObject({ scale: z.number().default(1) }),
  create(options, ctx) { ${body} },
}];
`;
}

/** A project folder: `node_modules/zod` linked to core's, and `node_modules/<name>` packages written from `packages`. */
async function project(packages: Record<string, { files: Record<string, string>; exports?: unknown; version?: string }>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'omniprune-plugins-'));
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  await symlink(ZOD, join(dir, 'node_modules', 'zod'), 'dir');
  for (const [name, pkg] of Object.entries(packages)) {
    const root = join(dir, 'node_modules', name);
    await mkdir(root, { recursive: true });
    await writeFile(
      join(root, 'package.json'),
      JSON.stringify({
        name,
        version: pkg.version ?? '1.2.3',
        type: 'module',
        exports: pkg.exports ?? { '.': { types: './index.d.ts', import: './index.js' } },
      }),
    );
    for (const [file, text] of Object.entries(pkg.files)) {
      await mkdir(dirname(join(root, file)), { recursive: true });
      await writeFile(join(root, file), text);
    }
  }
  return dir;
}

describe('loadPluginModules', () => {
  it('imports a package by name from node_modules above the pipeline folder and registers its plugins with their origin', async () => {
    const dir = await project({ 'omniprune-plugin-demo': { files: { 'index.js': criterionModule('demo') } } });
    const pipelineDir = join(dir, 'pipelines', 'nested');
    await mkdir(pipelineDir, { recursive: true });
    const c = createPluginContainer();
    const [mod] = await loadPluginModules(c, ['omniprune-plugin-demo'], pipelineDir);
    expect(mod.plugins.map((p) => p.name)).toEqual(['demo']);
    expect(pluginOrigin(c, 'criterion', 'demo')).toEqual({ source: 'omniprune-plugin-demo', version: '1.2.3' });
    const metric = await createPlugin<{ similarity(): number }>(c, 'criterion', 'demo', {}, { log: () => {}, seed: 1 });
    expect(metric.similarity()).toBe(0.5);
    await loadPluginModules(c, ['omniprune-plugin-demo'], pipelineDir);
    expect(listPlugins(c)).toHaveLength(1);
  });

  it('imports a relative file, a scoped package subpath, and a default export', async () => {
    const dir = await project({
      '@acme/metrics': {
        files: { 'extra.js': criterionModule('acme-extra').replace('export const plugins = [', 'export default [') },
        exports: { './extra': './extra.js' },
      },
    });
    await writeFile(join(dir, 'local.js'), criterionModule('local'));
    const c = createPluginContainer();
    await loadPluginModules(c, ['./local.js', '@acme/metrics/extra'], dir);
    expect(listPlugins(c).map((p) => p.name)).toEqual(['local', 'acme-extra']);
    expect(pluginOrigin(c, 'criterion', 'local')?.source).toBe('./local.js');
  });

  it('names the package in every failure: not installed, throws on import, exports nothing, invalid, duplicate, API version', async () => {
    const dir = await project({
      thrower: { files: { 'index.js': 'throw new Error("boom at import");' } },
      'needs-peer': { files: { 'index.js': 'import { definePruner } from "@omniprune/plugin-api-missing-here"; export const plugins = [];' } },
      'needs-api': { files: { 'index.js': 'export * from "@omniprune/plugin-api"; export const plugins = [];' } },
      empty: { files: { 'index.js': 'export const answer = 42;' } },
      broken: { files: { 'index.js': 'export const pruner = { apiVersion: 1, kind: "pruner", name: "half", options: {} };' } },
      dupe: { files: { 'index.js': criterionModule('demo') } },
      future: { files: { 'index.js': criterionModule('future', undefined, 99) } },
      unbuilt: { files: {}, exports: { '.': './dist/index.js' } },
    });
    const c = createPluginContainer();
    registerPlugin(c, defineCriterion({ name: 'demo', description: '', options: z.object({}), create: () => 1 }), 'builtin-pkg');
    const load = (spec: string) => loadPluginModules(c, [spec], dir);
    await expect(load('not-there')).rejects.toThrow(/plugin package "not-there": not installed[\s\S]*npm install not-there/);
    await expect(load('thrower')).rejects.toThrow(/plugin package "thrower": threw while being imported: boom at import[\s\S]*fix or update the package/);
    // a dependency the package cannot find (installed without its peer): the hint names what to install
    await expect(load('needs-peer')).rejects.toThrow(
      /plugin package "needs-peer": threw while being imported[\s\S]*hint: install @omniprune\/plugin-api-missing-here beside it/,
    );
    await expect(load('needs-api')).rejects.toThrow(
      /hint: install @omniprune\/plugin-api \(its peer dependency: the plugin API it is written against\) beside it: npm install @omniprune\/plugin-api/,
    );
    await expect(load('empty')).rejects.toThrow(/plugin package "empty": exports no omniprune plugins \(exports: answer\)/);
    await expect(load('broken')).rejects.toThrow(
      /plugin package "broken": export "pruner" \(pruner "half"\) is not a valid plugin: it has no create\(\) function/,
    );
    await expect(load('dupe')).rejects.toThrow(/criterion:demo from dupe is already registered by builtin-pkg/);
    await expect(load('future')).rejects.toThrow(/criterion:future from future targets plugin API 99, this core implements 1/);
    await expect(load('unbuilt')).rejects.toThrow(/plugin package "unbuilt": its entry .*dist\/index.js does not exist[\s\S]*build the package/);
    await expect(load('./nowhere.js')).rejects.toMatchObject({ code: 'E_PLUGIN_LOAD' });
  });

  it("names the package when a plugin's create throws", async () => {
    const dir = await project({ 'fragile-metric': { files: { 'index.js': criterionModule('fragile', 'throw new Error("needs a GPU");') }, version: '0.3.0' } });
    const c = createPluginContainer();
    await loadPluginModules(c, ['fragile-metric'], dir);
    await expect(createPlugin(c, 'criterion', 'fragile', {}, { log: () => {}, seed: 1 }, 'similarity.with')).rejects.toThrow(
      /criterion:fragile \(from fragile-metric@0.3.0\) failed to start: needs a GPU/,
    );
  });
});

describe('loadPipeline with plugins:', () => {
  it("loads the listed modules before validating, so their options are checked like the built-ins'", async () => {
    const dir = await project({ 'omniprune-plugin-demo': { files: { 'index.js': criterionModule('demo') } } });
    const pipeline = (scale: unknown) =>
      [
        'plugins: [omniprune-plugin-demo]',
        'model: { zoo: resnet20, train: { epochs: 1 } }',
        'data: { dataset: { name: mnist } }',
        'pruners: [{ use: noop }]',
        `similarity: { use: demo, with: { scale: ${JSON.stringify(scale)} } }`,
      ].join('\n');
    await writeFile(join(dir, 'good.yaml'), pipeline(2));
    await writeFile(join(dir, 'bad.yaml'), pipeline('big'));
    const fresh = () => {
      const c = createPluginContainer();
      registerPlugin(c, sgdTrainerPlugin as never, '@omniprune/core');
      registerPlugin(c, definePruner({ name: 'noop', description: '', options: z.object({}), create: () => null }), 'test');
      return c;
    };
    const loaded = await loadPipeline(join(dir, 'good.yaml'), fresh());
    expect(loaded.similarity.with).toEqual({ scale: 2 });
    await expect(loadPipeline(join(dir, 'bad.yaml'), fresh())).rejects.toThrow(/similarity\.with\.scale: Invalid input: expected number, received string/);
  });
});
