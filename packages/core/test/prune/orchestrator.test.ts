import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { reportWithoutTimings, runPipeline, validatePipeline, type PipelineEvent } from '../../src/index.js';
import { testContainer, tinyDataset, tinyPipeline, useWasm } from '../../src/testing/index.js';

beforeAll(useWasm);

describe('orchestrator', () => {
  it('runs iterations, keeps the most similar candidate, saves every iteration and the final model', async () => {
    const dir = await tinyDataset();
    const c = testContainer();
    const events: PipelineEvent[] = [];
    const report = await runPipeline(validatePipeline(tinyPipeline(dir), c), { container: c, onEvent: (e) => events.push(e) });
    expect(report.iterations).toHaveLength(3);
    for (const it of report.iterations) {
      expect(it.candidates.map((x) => x.kind)).toEqual(['layer', 'filter']);
      const best = Math.max(...it.candidates.map((x) => x.similarity));
      expect(it.candidates[it.chosen].similarity).toBe(best);
      expect(it.stats.flops).toBe(it.candidates[it.chosen].flops);
    }
    const flops = [report.baseline.flops, ...report.iterations.map((i) => i.stats.flops)];
    for (let i = 1; i < flops.length; i++) expect(flops[i]).toBeLessThan(flops[i - 1]);
    expect(report.stopReason).toBe('max-iterations');
    expect(report.final!.iteration).toBe(3);
    for (const f of [
      'report.json',
      'report.html',
      'state.json',
      'final/model.json',
      'iterations/000/model.json',
      'iterations/003/weights.bin',
      'base/model.json',
    ]) {
      expect((await stat(join(dir, 'run', f))).isFile()).toBe(true);
    }
    expect(events.filter((e) => e.type === 'chosen')).toHaveLength(3);
    expect(events.some((e) => e.type === 'train' && e.phase === 'winner')).toBe(true);
    const html = await readFile(join(dir, 'run', 'report.html'), 'utf8');
    expect(html).toMatch(/<svg[\s\S]*class="point"/);
  });

  it('resumes an interrupted run and ends with the same report as an uninterrupted one', async () => {
    const dir = await tinyDataset();
    const c = testContainer();
    const straight = await runPipeline(validatePipeline(tinyPipeline(dir, { output: join(dir, 'a') }), c), { container: c });
    const abort = new AbortController();
    const interrupted = validatePipeline(tinyPipeline(dir, { output: join(dir, 'b') }), c);
    await expect(
      runPipeline(interrupted, {
        container: c,
        signal: abort.signal,
        onEvent: (e) => e.type === 'iteration-end' && e.iteration === 2 && abort.abort(new Error('killed')),
      }),
    ).rejects.toThrow(/killed/);
    const state = JSON.parse(await readFile(join(dir, 'b', 'state.json'), 'utf8'));
    expect(state.completed).toBe(2);
    const events: PipelineEvent[] = [];
    const resumed = await runPipeline(interrupted, { container: c, onEvent: (e) => events.push(e) });
    expect(events.find((e) => e.type === 'resumed')).toEqual({ type: 'resumed', completed: 2 });
    expect(events.filter((e) => e.type === 'iteration-start')).toHaveLength(1);
    expect(reportWithoutTimings(resumed)).toEqual(reportWithoutTimings(straight));
  });

  it('stops at the FLOPs target and refuses a run directory of another pipeline', async () => {
    const dir = await tinyDataset();
    const c = testContainer();
    const report = await runPipeline(validatePipeline(tinyPipeline(dir, { stop: { flopsReduction: 0.05, maxIterations: 10 } }), c), { container: c });
    expect(report.stopReason).toBe('flops-target');
    expect(report.final!.flopsReduction).toBeGreaterThanOrEqual(0.05);
    const other = validatePipeline(tinyPipeline(dir, { seed: 4 }), c);
    await expect(runPipeline(other, { container: c })).rejects.toThrow(/holds a run of a different pipeline[\s\S]*--restart/);
  });

  it('fails before pruning when the accuracy floor is above the base model', async () => {
    const dir = await tinyDataset();
    const c = testContainer();
    const p = validatePipeline(tinyPipeline(dir, { stop: { minAccuracy: 0.999 } }), c);
    await expect(runPipeline(p, { container: c })).rejects.toMatchObject({ code: 'E_UNREACHABLE_TARGET' });
  });
});
