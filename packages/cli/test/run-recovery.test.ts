import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { reportWithoutTimings, type RunReport } from '@omniprune/core';
import { runCliCaptured } from './run-cli.js';
import { tinyPipeline, writeTinyPipeline } from './pipeline-fixtures.js';
import { spawnCli, waitFor } from './spawn-cli.js';

async function readReport(dir: string): Promise<RunReport> {
  return JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as RunReport;
}

const FINAL = { epochs: 3, batchSize: 25, lr: 0.02, schedule: { type: 'cosine' }, distill: { alpha: 0.8, temperature: 3 } };

describe('omniprune run with finetune.final', () => {
  it('adds a recovery to a finished run without redoing its iterations, and resumes it after kill -9 to the same weights', { timeout: 900_000 }, async () => {
    const { dir, file } = await writeTinyPipeline({ stop: { maxIterations: 2 } });
    const plain = await runCliCaptured(['run', file, '--out', join(dir, 'straight')]);
    expect(plain.code).toBe(0);
    const unrecovered = await readReport(join(dir, 'straight'));
    expect(unrecovered.recovery).toBeUndefined();

    await writeFile(file, stringify(tinyPipeline(dir, { stop: { maxIterations: 2 }, finetune: { ...(tinyPipeline(dir).finetune as object), final: FINAL } })));
    const straight = await runCliCaptured(['run', file, '--out', join(dir, 'straight')]);
    expect(straight.code).toBe(0);
    expect(straight.stderr).toMatch(/resuming after 2 finished iteration/);
    const recovered = await readReport(join(dir, 'straight'));
    expect(reportWithoutTimings({ ...recovered, recovery: undefined, final: { ...recovered.final!, evaluations: undefined } })).toEqual(
      reportWithoutTimings({ ...unrecovered, final: { ...unrecovered.final!, evaluations: undefined } }),
    );
    const recovery = recovered.recovery!;
    expect(recovery.epochs).toBe(3);
    expect(recovery.iteration).toBe(2);
    expect(recovery.images).toBe(100); // the whole tiny training split
    expect(recovery.before).toEqual(unrecovered.final!.stats);
    expect(recovery.after.flops).toBe(unrecovered.final!.stats.flops);
    expect(recovery.distill).toMatchObject({ alpha: 0.8, temperature: 3, teacher: 'base' });
    expect(straight.stdout + straight.stderr).toMatch(/final recovery: accuracy [\d.]+ % -> [\d.]+ %/);

    const out = join(dir, 'killed');
    await writeFile(join(dir, 'killed.yaml'), await readFile(file, 'utf8'));
    const child = spawnCli(['run', join(dir, 'killed.yaml'), '--out', out], { stdio: 'ignore' });
    await waitFor(async () => {
      const state = await readFile(join(out, 'recovery', 'checkpoint', 'state.json'), 'utf8').catch(() => null);
      return state !== null && JSON.parse(state).epochsDone >= 1;
    }, 600_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const resumed = await runCliCaptured(['run', join(dir, 'killed.yaml'), '--out', out]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/final recovery: resuming after epoch [12]/);
    expect(reportWithoutTimings(await readReport(out))).toEqual(reportWithoutTimings(recovered));
    const weights = (run: string) => readFile(join(dir, run, 'final', 'weights.bin'));
    expect((await weights('killed')).equals(await weights('straight'))).toBe(true);
  });
});
