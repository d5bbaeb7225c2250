import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportWithoutTimings, type RunReport } from '@omniprune/core';
import { runCliCaptured } from './run-cli.js';
import { writeTinyPipeline } from './pipeline-fixtures.js';
import { spawnCli, waitFor } from './spawn-cli.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

async function readReport(dir: string): Promise<RunReport> {
  return JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as RunReport;
}

describe('omniprune run', () => {
  it('prunes, writes the report, the plot and the final model; report.html renders in headless Chromium', { timeout: 300_000 }, async () => {
    const { dir, file } = await writeTinyPipeline({ export: { onnx: true } });
    const r = await runCliCaptured(['run', file]);
    expect(r.stderr).toMatch(/backend: wasm/);
    expect(r.code).toBe(0);
    const report = await readReport(join(dir, 'run'));
    expect(report.iterations).toHaveLength(3);
    expect(report.iterations.every((it) => it.candidates.length === 2)).toBe(true);
    expect(report.final!.flopsReduction).toBeGreaterThan(0);
    expect((await stat(join(dir, 'run', 'final', 'model.json'))).isFile()).toBe(true);
    expect((await stat(join(dir, 'run', 'final', 'model.onnx'))).size).toBeGreaterThan(100_000);
    expect(r.stdout).toMatch(/final \(iteration 3\): accuracy/);
    const html = join(dir, 'run', 'report.html');
    if (!CHROMIUM) {
      if (process.env.CI) throw new Error('chromium is required in CI (.ci/run installs it)');
      console.warn('[skip] chromium not installed: apt-get install chromium to check report.html rendering');
      return;
    }
    const dom = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        `--user-data-dir=${join(dir, 'chrome')}`,
        '--dump-dom',
        `file://${html}`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(dom.stdout).toMatch(/<svg[^>]*aria-label="test accuracy vs FLOPs reduction"/);
    expect((dom.stdout.match(/class="point"/g) ?? []).length).toBe(4);
    expect(dom.stdout).toMatch(/Final \(iteration 3\)/);
  });

  it('resumes after kill -9 and ends with the same report as an uninterrupted run', { timeout: 600_000 }, async () => {
    const { dir, file } = await writeTinyPipeline({ stop: { maxIterations: 3 } });
    const straight = await runCliCaptured(['run', file, '--out', join(dir, 'straight')]);
    expect(straight.code).toBe(0);
    const out = join(dir, 'killed');
    const child = spawnCli(['run', file, '--out', out], { stdio: 'ignore' });
    await waitFor(async () => {
      const state = await readFile(join(out, 'state.json'), 'utf8').catch(() => null);
      return state !== null && JSON.parse(state).completed >= 1;
    }, 300_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = await readReport(out);
    expect(before.stopReason).toBeUndefined();
    const resumed = await runCliCaptured(['run', file, '--out', out]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/resuming after [12] finished iteration/);
    expect(reportWithoutTimings(await readReport(out))).toEqual(reportWithoutTimings(await readReport(join(dir, 'straight'))));
  });
});
