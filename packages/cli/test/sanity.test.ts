import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createRng } from '@omniprune/core/util';
import type { Features } from '@omniprune/core/prune';
import { linearCKA } from '@omniprune/criteria-cka';
import { svcca } from '@omniprune/criteria-similarity';
import { layerIdentification, removeComponents } from '../src/bench/sanity.js';
import { runCliCaptured } from './run-cli.js';
import { writeTinyPipeline } from './pipeline-fixtures.js';

const rng = createRng(5);
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
const matrix = (n: number, p: number): number[][] => Array.from({ length: n }, () => Array.from({ length: p }, gauss));

describe('metric sanity suite', () => {
  it('layer identification: a matching metric finds every layer, a constant one none', () => {
    const layersA = [matrix(50, 6), matrix(50, 6), matrix(50, 6)];
    const layersB = layersA.map((l) => l.map((row) => row.map((v) => 2 * v + 0.1 * gauss())));
    expect(layerIdentification([layersA, layersB], (a, b) => linearCKA(a, b))).toBe(1);
    expect(layerIdentification([layersA, layersB], () => 0.5)).toBe(0);
    const swapped = [layersB[1], layersB[0], layersB[2]];
    expect(layerIdentification([layersA, swapped], (a, b) => linearCKA(a, b))).toBeCloseTo(1 / 3, 10);
  });

  it('removing k principal components removes exactly the k largest variance directions', () => {
    const x = matrix(200, 5).map((row) => row.map((v, j) => v * (5 - j)));
    const f = { data: Float32Array.from(x.flat()), rows: 200, cols: 5 };
    const variance = (g: Features) => g.data.reduce((s, v) => s + v * v, 0) / g.rows;
    const total = variance(removeComponents(f, 0));
    const v1 = variance(removeComponents(f, 1));
    const v5 = variance(removeComponents(f, 5));
    expect(v1).toBeLessThan(total * 0.75);
    expect(v5).toBeLessThan(1e-6 * total);
    // CCA is blind to which directions were removed while some remain (what the suite's PC curve exposes)
    expect(
      svcca(
        Array.from({ length: 200 }, (_, r) => Array.from(f.data.subarray(r * 5, r * 5 + 5))),
        Array.from({ length: 200 }, (_, r) => Array.from(removeComponents(f, 2).data.subarray(r * 5, r * 5 + 5))),
      ),
    ).toBeCloseTo(1, 6);
    expect(
      linearCKA(
        x,
        Array.from({ length: 200 }, (_, r) => Array.from(removeComponents(f, 2).data.subarray(r * 5, r * 5 + 5))),
      ),
    ).toBeLessThan(0.8);
  });

  it('`bench --sanity` trains seeds, writes sanity.json and sanity.html, and skips output-level metrics', { timeout: 300_000 }, async () => {
    const { dir } = await writeTinyPipeline();
    const bench = join(dir, 'bench.yaml');
    await writeFile(
      bench,
      stringify({
        pipeline: 'pipeline.yaml',
        metrics: ['linear-cka', 'procrustes', 'svcca', { use: 'output-kl', layer: 'logits' }],
        output: 'bench',
        sanity: { data: { dataset: { name: 'mnist', path: join(dir, 'data') } }, seeds: [1, 2], epochs: 1, samples: 40, components: [0, 1, 4] },
      }),
    );
    const r = await runCliCaptured(['bench', bench, '--sanity']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/skipping output-kl@logits/);
    const json = JSON.parse(await readFile(join(dir, 'bench', 'sanity.json'), 'utf8'));
    expect(json.metrics.map((m: { metric: string }) => m.metric)).toEqual(['linear-cka', 'procrustes', 'svcca']);
    expect(json.metrics[2].error).toMatch(/CCA needs more samples than features: 40 samples/);
    for (const m of json.metrics.slice(0, 2)) {
      expect(m.layerIdentification).toBeGreaterThanOrEqual(0);
      expect(m.layerIdentification).toBeLessThanOrEqual(1);
      expect(m.pcRemoval.map((p: { components: number }) => p.components)).toEqual([0, 1, 4]);
      expect(m.pcRemoval[0].similarity).toBeCloseTo(1, 5);
      expect(m.decreasesWithComponents).toBe(true);
    }
    expect(await readFile(join(dir, 'bench', 'sanity.html'), 'utf8')).toMatch(/<table id="sanity">[\s\S]*procrustes/);
  });

  it("loads the base pipeline's plugins, runs one seed (PC removal only) and checks every metric before training", { timeout: 300_000 }, async () => {
    const plugin = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'mean-cosine-metric.mjs');
    const { dir } = await writeTinyPipeline({ plugins: [plugin] });
    const sanity = { data: { dataset: { name: 'mnist', path: join(dir, 'data') } }, seeds: [1], epochs: 1, samples: 40, components: [0, 1, 4] };
    const bench = join(dir, 'bench.yaml');
    await writeFile(bench, stringify({ pipeline: 'pipeline.yaml', metrics: ['mean-cosine', 'linear-cka'], output: 'bench', sanity }));
    const r = await runCliCaptured(['bench', bench, '--sanity']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/mean-cosine +layer identification not measured \(needs 2 seeds\)/);
    const json = JSON.parse(await readFile(join(dir, 'bench', 'sanity.json'), 'utf8'));
    expect(json.metrics.map((m: { metric: string }) => m.metric)).toEqual(['mean-cosine', 'linear-cka']);
    expect(json.metrics[0].layerIdentification).toBeNull(); // NaN in JSON: no pair of models with one seed
    expect(json.metrics[0].pcRemoval.map((p: { components: number }) => p.components)).toEqual([0, 1, 4]);
    expect(json.metrics[1].pcRemoval[0].similarity).toBeCloseTo(1, 5); // CKA ignores the centring of k = 0
    // an unknown metric is refused before any model is trained (exit 2: nothing computed)
    const unknown = join(dir, 'unknown.yaml');
    await writeFile(unknown, stringify({ pipeline: 'pipeline.yaml', metrics: ['linear-cka', 'mean-cosin'], output: 'bench2', sanity }));
    const refused = await runCliCaptured(['bench', unknown, '--sanity']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/unknown criterion "mean-cosin"|unknown similarity "mean-cosin"/);
    expect(refused.stderr).not.toMatch(/trained in/);
  });
});
