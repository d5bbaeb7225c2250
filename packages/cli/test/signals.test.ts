import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tinyTrainArgs, writeTinyBench, writeTinyPipeline } from './pipeline-fixtures.js';
import { cliWithStderr } from './spawn-cli.js';

/** Start `omniprune ARGS`; once stderr matches `when`, send `signal`; resolve with the exit code, stderr and seconds from signal to exit. */
function interrupt(args: string[], when: RegExp, signal: 'SIGINT' | 'SIGTERM') {
  return new Promise<{ code: number | null; stderr: string; seconds: number }>((resolvePromise, reject) => {
    // One process (node with tsx's loader): the signal reaches omniprune itself, not the tsx CLI's relay to a child.
    const { child, stderr, exited } = cliWithStderr(args);
    let sent = 0;
    const killer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit within 60 s of ${signal}: ${stderr().slice(-2000)}`));
    }, 600_000);
    child.stderr!.on('data', () => {
      if (!sent && when.test(stderr())) {
        sent = Date.now();
        child.kill(signal);
        clearTimeout(killer);
        setTimeout(() => child.kill('SIGKILL'), 60_000).unref();
      }
    });
    exited.then((code) => {
      clearTimeout(killer);
      resolvePromise({ code, stderr: stderr(), seconds: sent ? (Date.now() - sent) / 1000 : Number.NaN });
    });
  });
}

/** Every file under `dir`, recursively (hidden ones too). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('Ctrl-C and SIGTERM: stop after the current step, files consistent, the same command resumes', () => {
  it('run: SIGINT during iteration 2 exits 130 within seconds; the rerun resumes after iteration 1', { timeout: 900_000 }, async () => {
    const { dir, file } = await writeTinyPipeline({ stop: { maxIterations: 3 } });
    const out = join(dir, 'run');
    const args = ['run', file, '--out', out];
    const stopped = await interrupt(args, /iteration 2\n/, 'SIGINT');
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.seconds).toBeLessThan(15);
    expect(stopped.stderr).toMatch(/SIGINT: stopping after the current step/);
    expect(stopped.stderr).toMatch(/stopped by SIGINT; run the same command again to resume/);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.iterations).toHaveLength(1);
    expect((await filesUnder(out)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const again = await interrupt(args, /$^/, 'SIGINT'); // never signalled: runs to the end
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming after 1 finished iteration/);
  });

  it('train: SIGTERM after epoch 1 exits 143; the rerun resumes from the checkpoint', { timeout: 900_000 }, async () => {
    const { dir } = await writeTinyPipeline(); // a temp folder with the tiny dataset in data/
    const args = [...tinyTrainArgs(dir), '--epochs', '3', '--out', join(dir, 'model')];
    const stopped = await interrupt(args, /epoch 1\/3 loss .* val_acc/, 'SIGTERM');
    expect(stopped.code, stopped.stderr).toBe(143);
    expect(stopped.seconds).toBeLessThan(15);
    expect((await filesUnder(join(dir, 'model'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const again = await interrupt(args, /$^/, 'SIGTERM');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming the training in .* after epoch [12]\/3/);
  });

  it('bench: SIGTERM stops the coordinator and its cell runs; the rerun finishes every cell', { timeout: 900_000 }, async () => {
    const { dir, bench } = await writeTinyBench({ metrics: ['linear-cka'], seeds: [1, 2], workers: 1 });
    const stopped = await interrupt(['bench', bench], /\[1\/2\] \S+: running/, 'SIGTERM');
    expect(stopped.code, stopped.stderr).toBe(143);
    expect(stopped.seconds).toBeLessThan(20);
    const again = await interrupt(['bench', bench], /$^/, 'SIGTERM');
    expect(again.code, again.stderr).toBe(0);
    const json = JSON.parse(await readFile(join(dir, 'bench', 'bench.json'), 'utf8'));
    expect(json.cells.map((c: { status: string }) => c.status)).toEqual(['done', 'done']);
  });
});
