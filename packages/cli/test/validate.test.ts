import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCliCaptured } from './run-cli.js';
import { writeTinyPipeline } from './pipeline-fixtures.js';

describe('omniprune validate and run: bad input', () => {
  it('accepts a valid pipeline', async () => {
    const { file } = await writeTinyPipeline();
    const r = await runCliCaptured(['validate', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid \(pruners: layer, filter; similarity: linear-cka/);
  });

  it('validates a bench file as a bench: its schema and every pipeline it expands to', async () => {
    const { dir } = await writeTinyPipeline();
    const bench = join(dir, 'bench.yaml');
    await writeFile(bench, stringify({ pipeline: 'pipeline.yaml', metrics: ['linear-cka', { use: 'procrustes' }], seeds: [1, 2], output: 'b' }));
    const ok = await runCliCaptured(['validate', bench]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/bench\.yaml: valid bench \(4 cells: metrics linear-cka, procrustes; seeds 1, 2; arms all/);
    await writeFile(bench, stringify({ pipeline: 'pipeline.yaml', metrics: ['linear-cka', 'cosine-sim'], output: 'b' }));
    const bad = await runCliCaptured(['validate', bench]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/similarity\.use: unknown similarity "cosine-sim"/);
    // the oracle's block criteria are checked with the bench, not after its fine-tunes
    await writeFile(bench, stringify({ pipeline: 'pipeline.yaml', metrics: ['linear-cka'], study: { blockCriteria: ['block-influence', 'block-influenze'] } }));
    const criterion = await runCliCaptured(['validate', bench]);
    expect(criterion.code).toBe(2);
    expect(criterion.stderr).toMatch(/study\.blockCriteria\[1\]: unknown block-importance criterion "block-influenze"[\s\S]*allowed values: .*block-influence/);
    await writeFile(bench, stringify({ pipeline: 'pipeline.yaml', metrics: ['linear-cka'], seeds: 'one' }));
    const schema = await runCliCaptured(['validate', bench]);
    expect(schema.code).toBe(2);
    expect(schema.stderr).toMatch(/invalid bench file .*\n.*seeds/);
  });

  it('reports malformed YAML with its position', async () => {
    const { file } = await writeTinyPipeline({}, 'name: x\npruners:\n  - use: layer\n   with: {');
    const r = await runCliCaptured(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not valid YAML \(line \d+, column \d+\)/);
  });

  it('names an unknown plugin and the allowed values', async () => {
    const { file } = await writeTinyPipeline({ pruners: [{ use: 'layer' }, { use: 'chanel' }] });
    const r = await runCliCaptured(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pruners\[1\]\.use: unknown pruner "chanel"[\s\S]*allowed values: .*layer.*filter/);
  });

  it('resolves the criteria a pruner names and checks their options before any work', async () => {
    const misspelt = await writeTinyPipeline({ pruners: [{ use: 'layer', with: { criterion: 'block-kll' } }, { use: 'filter' }] });
    const r = await runCliCaptured(['validate', misspelt.file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pruners\[0\]\.with\.criterion: unknown block-importance "block-kll"[\s\S]*allowed values: .*block-kl/);
    const wrongRole = await writeTinyPipeline({ pruners: [{ use: 'layer' }, { use: 'filter', with: { criterion: 'block-kl' } }] });
    const role = await runCliCaptured(['validate', wrongRole.file]);
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/pruners\[1\]\.with\.criterion: unknown channel-importance "block-kl"[\s\S]*l1/);
    const badOptions = await writeTinyPipeline({
      pruners: [{ use: 'layer', with: { criterion: 'block-kl', criterionOptions: { samplesPerClass: 'many' } } }, { use: 'filter' }],
    });
    const opts = await runCliCaptured(['run', badOptions.file]);
    expect(opts.code).toBe(2);
    expect(opts.stderr).toMatch(/pruners\[0\]\.with\.criterionOptions\.samplesPerClass: /);
    expect(opts.stderr).not.toMatch(/training|baseline/);
  });

  it('names a plugin package that is not installed (exit 2) and run --only a pruner the pipeline lacks', async () => {
    const { file } = await writeTinyPipeline({ plugins: ['omniprune-plugin-missing'] });
    const r = await runCliCaptured(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/plugin package "omniprune-plugin-missing": not installed[\s\S]*npm install omniprune-plugin-missing/);
    const plain = await writeTinyPipeline();
    const only = await runCliCaptured(['run', plain.file, '--only', 'heads']);
    expect(only.code).toBe(2);
    expect(only.stderr).toMatch(/--only heads: "heads" is not a pruner of this pipeline[\s\S]*allowed values: layer, filter/);
  });

  it('names the exact path of a wrongly typed option', async () => {
    const { file } = await writeTinyPipeline({ pruners: [{ use: 'layer', with: { minBlocksPerStage: 'two' } }] });
    const r = await runCliCaptured(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pruners\[0\]\.with\.minBlocksPerStage: .*expected number/i);
    const stop = await writeTinyPipeline({ stop: { flopsReduction: 1.5 } });
    const r2 = await runCliCaptured(['validate', stop.file]);
    expect(r2.stderr).toMatch(/stop\.flopsReduction: .*(<|less|too big)/i);
  });

  it('checks finetune.final and distill blocks with their exact paths', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ final: { epochs: 2, images: 0 } }, /finetune\.final\.images: /],
      [{ final: { epochs: 2, images: 'some' } }, /finetune\.final\.images: /],
      [{ final: { lr: -1 } }, /finetune\.final\.lr: .*(>|greater|too small)/i],
      [{ final: { distill: { alpha: 2 } } }, /finetune\.final\.distill\.alpha: .*(<=|less|too big)/i],
      // the path as written in the YAML (before the one schema it read `finetune.winner.with.distill...`, a `with` the file does not have)
      [{ winner: { distill: { teacher: 'oracle' } } }, /finetune\.winner\.distill\.teacher: .*base.*parent/i],
    ];
    for (const [finetune, message] of cases) {
      const { file } = await writeTinyPipeline({ finetune });
      const r = await runCliCaptured(['validate', file]);
      expect(r.code, JSON.stringify(finetune)).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const ok = await writeTinyPipeline({ finetune: { final: { epochs: 2, images: 500, distill: { teacher: 'parent' } } } });
    expect((await runCliCaptured(['validate', ok.file])).code).toBe(0);
  });

  it('reports a missing pipeline, model and data file', async () => {
    const missing = await runCliCaptured(['validate', '/nonexistent/p.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no pipeline file at \/nonexistent\/p\.yaml/);
    const { file: modelFile } = await writeTinyPipeline({ model: { path: 'models/nope/model.json' } });
    const r = await runCliCaptured(['run', modelFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no model at .*models\/nope\/model\.json/);
    const { file: dataFile } = await writeTinyPipeline({ data: { dataset: { name: 'mnist', path: 'nodata' } } });
    const r2 = await runCliCaptured(['run', dataFile]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/nodata/);
  });

  it('reports a corrupt model.json', async () => {
    const { dir, file } = await writeTinyPipeline({ model: { path: 'bad/model.json' } });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'bad'));
    await writeFile(join(dir, 'bad', 'model.json'), '{"format": "layers-model"}');
    const r = await runCliCaptured(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a TF\.js Layers model\.json/);
  });

  it('fails early on a target nothing can reach', async () => {
    const { file } = await writeTinyPipeline({ pruners: [{ use: 'layer' }], stop: { flopsReduction: 0.9 } });
    const r = await runCliCaptured(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/beyond the layer-only ceiling[\s\S]*add a filter pruner/);
  });

  it('fails the run (exit 1) on a NaN loss during fine-tuning, naming it', async () => {
    const { file } = await writeTinyPipeline({ finetune: { candidate: { epochs: 1, batchSize: 25, lr: 1e12 } } });
    const r = await runCliCaptured(['run', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/NaN|non-finite|Infinity/i);
    expect(r.stderr).toMatch(/lower/i);
  });
});
