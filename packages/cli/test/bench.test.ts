import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from './run-cli.js';
import { writeTinyBench } from './pipeline-fixtures.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

const tinyBench = writeTinyBench;

describe('omniprune bench', () => {
  it('runs metrics x seeds in parallel workers and writes json, csv and an html that renders; a rerun reuses finished cells', {
    timeout: 600_000,
  }, async () => {
    const { dir, bench } = await tinyBench();
    const r = await runCliCaptured(['bench', bench]);
    expect(r.stderr).toMatch(/bench tiny-bench: 4 cells \(2 metrics x 2 seeds\), 2 workers x 1 thread/);
    expect(r.code, r.stderr).toBe(0);
    // progress per iteration of every cell, and each cell's own log
    expect(r.stderr).toMatch(/\] linear-cka__seed-1: iteration 1 \((layer|filter)\): FLOPs -\d+\.\d %, \d+\.\d\d % \([+-]\d+\.\d\d points\), \d+ s\n/);
    expect(await readFile(join(dir, 'bench', 'cells', 'linear-cka__seed-2', 'run.log'), 'utf8')).toMatch(/final \(iteration \d+\): accuracy/);
    const json = JSON.parse(await readFile(join(dir, 'bench', 'bench.json'), 'utf8'));
    expect(json.cells.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
      ['linear-cka__seed-1', 'done'],
      ['linear-cka__seed-2', 'done'],
      ['output-agreement_logits__seed-1', 'done'],
      ['output-agreement_logits__seed-2', 'done'],
    ]);
    expect(json.metrics.map((m: { metric: string; flopsReduction: { n: number } }) => [m.metric, m.flopsReduction.n])).toEqual([
      ['linear-cka', 2],
      ['output-agreement@logits', 2],
    ]);
    const report = JSON.parse(await readFile(join(dir, 'bench', 'cells', 'output-agreement_logits__seed-2', 'report.json'), 'utf8'));
    expect(report.similarity).toMatch(/output-agreement/);
    expect(report.seed).toBe(2);
    const csv = (await readFile(join(dir, 'bench', 'bench.csv'), 'utf8')).trim().split('\n');
    expect(csv).toHaveLength(5);
    expect(csv[0]).toBe(
      'cell,metric,seed,arm,options,status,seconds,iterations,baseline_accuracy,final_accuracy,accuracy_change,flops_reduction,params_reduction,kinds_chosen',
    );
    // one arm: compare.json groups the runs by metric, both seeds in each
    const compare = JSON.parse(await readFile(join(dir, 'bench', 'compare.json'), 'utf8'));
    expect(compare.arms.map((a: { arm: string; runs: { seed: number }[] }) => [a.arm, a.runs.map((r) => r.seed)])).toEqual([
      ['linear-cka', [1, 2]],
      ['output-agreement@logits', [1, 2]],
    ]);
    const again = await runCliCaptured(['bench', bench]);
    expect(again.code, again.stderr).toBe(0);
    expect((again.stderr.match(/\(earlier run\)/g) ?? []).length).toBe(4);
    if (!CHROMIUM) {
      if (process.env.CI) throw new Error('chromium is required in CI (.ci/run installs it)');
      return;
    }
    const dom = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        `--user-data-dir=${join(dir, 'chrome')}`,
        '--dump-dom',
        `file://${join(dir, 'bench', 'bench.html')}`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(dom.stdout).toMatch(/<table id="metrics">/);
    expect((dom.stdout.match(/<path d="M/g) ?? []).length).toBe(4);
    expect(dom.stdout).toMatch(/4 cells, 4 finished, 0 failed/);
  });

  it('resumes a killed bench and rejects a bad metric before running anything', { timeout: 600_000 }, async () => {
    const { dir, bench } = await tinyBench({ workers: 1, metrics: ['linear-cka'] });
    const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['--conditions=omniprune-src', join(ROOT, 'packages/cli/src/bin.ts'), 'bench', bench], {
      stdio: 'ignore',
      detached: true,
    });
    const cells = join(dir, 'bench', 'cells');
    for (
      let t = 0;
      t < 600 &&
      !(await readFile(join(cells, 'linear-cka__seed-1', 'report.json'), 'utf8').then(
        (s) => !!JSON.parse(s).final,
        () => false,
      ));
      t++
    ) {
      await new Promise((r) => setTimeout(r, 500));
    }
    process.kill(-child.pid!, 'SIGKILL');
    const resumed = await runCliCaptured(['bench', bench]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/linear-cka__seed-1: done \(earlier run\)/);
    expect((await readdir(cells)).sort()).toEqual(['linear-cka__seed-1', 'linear-cka__seed-2']);
    const bad = await tinyBench({ metrics: ['linear-cka', 'cosine-sim'] });
    const r = await runCliCaptured(['bench', bad.bench]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/similarity\.use: unknown similarity "cosine-sim"[\s\S]*allowed values: .*procrustes/);
    expect(existsSync(join(bad.dir, 'bench', 'cells'))).toBe(false);
  });
});
